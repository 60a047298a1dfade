/**
 * THE list of sources: everything that produces readings is built here from config, in one place. The scheduler
 * runs them, the metrics registry registers the specs they declare, /metrics/live groups their sections by kind.
 *
 * Adding a host collector: its file in src/collectors/ and one line in HOST_COLLECTORS (src/collectors/index.ts).
 * Adding another kind of source: implement Source (src/sources/source.ts) and add it to buildSources.
 */
import type { Collector } from '../collectors/collector.ts';
import { collectorOptionsFromConfig, createCollectors } from '../collectors/index.ts';
import type { StaticFacts } from '../collectors/static-facts.ts';
import type { Config } from '../config/schema.ts';
import type { MetricSpecs, ScheduledSource, Source } from '../sources/source.ts';
import { createStaticSource } from '../collectors/static-source.ts';

export interface SourceInputs {
  facts: StaticFacts;
  /** replaces the configured host collectors (tests inject failing or hanging ones) */
  collectors?: Collector[];
  /** further sources built elsewhere (probes, heartbeats, tests' fakes), appended in order */
  extra?: readonly Source[];
}

/** A host collector on the sampling schedule. */
export function hostSource(c: Collector, sampling: Pick<Config['sampling'], 'interval' | 'timeout'>): ScheduledSource {
  return { name: c.name, kind: 'host', metrics: c.metrics, schedule: { intervalMs: sampling.interval, timeoutMs: sampling.timeout }, collect: (signal) => c.collect(signal) };
}

export function buildSources(config: Config, inputs: SourceInputs): Source[] {
  const collectors = inputs.collectors ?? createCollectors(collectorOptionsFromConfig(config.sampling));
  const sources: Source[] = [...collectors.map((c) => hostSource(c, config.sampling)), createStaticSource(inputs.facts), ...(inputs.extra ?? [])];
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) throw new Error(`two sources are named "${s.name}"`);
    seen.add(s.name);
  }
  return sources;
}

/** Every metric spec the sources declare; two sources declaring one metric differently is a programming error. */
export function specsOf(sources: readonly Source[]): MetricSpecs {
  const out: Record<string, MetricSpecs[string]> = {};
  for (const s of sources)
    for (const [name, spec] of Object.entries(s.metrics)) {
      const prev = out[name];
      if (prev && (prev.type !== spec.type || prev.labels.join() !== spec.labels.join()))
        throw new Error(`metric ${name} is declared differently by two sources`);
      out[name] = spec;
    }
  return out;
}
