import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { samplingSchema } from '../config/schema.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import { specsOf, hostSource } from '../wiring/sources.ts';
import { collectorOptionsFromConfig, createCollectors } from './index.ts';
import { HOST1, signal } from './testdata/paths.ts';

const GOLDEN = new URL('./testdata/host1.metrics', import.meta.url);

/**
 * The exposition of every host collector on the fake host under testdata/host1 (node_exporter keeps the same
 * kind of end-to-end fixture). Statfs reads the real file system, so filesystem sizes are masked. Regenerate
 * after an intended change with UPDATE_GOLDEN=1.
 */
test('/metrics of the testdata host matches the golden file', async () => {
  const sampling = samplingSchema.parse({ paths: HOST1 });
  const collectors = createCollectors(collectorOptionsFromConfig(sampling, 'linux'));
  const sources = collectors.map((c) => hostSource(c, sampling));
  const registry = new MetricsRegistry({ version: 'golden', revision: 'golden', nodeVersion: 'v0' });
  registry.define(specsOf(sources));
  const readings = (await Promise.all(collectors.map((c) => c.collect(signal())))).flatMap((o) => o.readings);
  registry.applySnapshot({ takenAt: 0, durationMs: 0, sections: {}, readings, unavailable: new Set() });
  const parts: string[] = [];
  for (const name of Object.keys(specsOf(sources))) parts.push(await registry.registry.getSingleMetricAsString(name));
  const text = `${parts.join('\n')}\n`.replace(/^(host_filesystem_(?:size|avail)_bytes\{[^}]*\}) .*$/gm, '$1 <statfs>').replace(/^(host_filesystem_used_ratio\{[^}]*\}) .*$/gm, '$1 <statfs>');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  assert.equal(text, readFileSync(GOLDEN, 'utf8'));
});
