import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);
import { Registry, type RegistryContentType } from 'prom-client';
import { createPacer } from '../lib/slice.ts';
import { SourcedFamily } from './sourced-family.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface Rendered {
  body: Buffer;
  /** gzip of body, computed (on libuv's thread pool, not the serving thread) on the first request that accepts gzip, then kept */
  gzipped(): Promise<Buffer>;
  /** the gzip of body once gzipped() has settled, else undefined (lets a scrape answer without a promise) */
  gzippedNow(): Buffer | undefined;
  contentType: string;
}

/**
 * Renders the registry at most once per sampling cycle and per format, and serves those bytes until the next
 * cycle. A new sample only marks the cache stale (`invalidate`); the first scrape that wants a format renders it,
 * every other scrape of that cycle gets the same bytes. So nobody scraping costs nothing, Prometheus (which asks
 * for OpenMetrics) costs one render per cycle, and a scrape never samples.
 */
export class ExpositionCache {
  readonly #registry: Registry<RegistryContentType>;
  /** bumped by every new sample */
  #generation = 0;
  readonly #formats = {
    text: { rendered: undefined as Rendered | undefined, generation: -1, pending: false },
    openMetrics: { rendered: undefined as Rendered | undefined, generation: -1, pending: false },
  };
  #rendering: Promise<unknown> = Promise.resolve();

  constructor(registry: Registry<RegistryContentType>) {
    this.#registry = registry;
  }

  /** A new sample was applied to the registry: what is cached is now stale. */
  invalidate(): void {
    this.#generation++;
  }

  /** Renders both formats now (benchmarks and tests; the sidecar renders on demand). */
  async refresh(): Promise<void> {
    this.invalidate();
    await this.current(undefined);
    await this.current('application/openmetrics-text');
  }

  /** The bytes for this Accept header, rendered for the current sample if they are not yet. */
  current(accept: string | undefined): Promise<Rendered> {
    const ready = this.peek(accept);
    if (ready) return Promise.resolve(ready);
    const slot = wantsOpenMetrics(accept) ? this.#formats.openMetrics : this.#formats.text;
    const om = slot === this.#formats.openMetrics;
    slot.pending = true;
    // renders are serialised: prom-client renders through shared metric objects; a failed one does not block the next
    const next = this.#rendering.catch(() => {}).then(async () => {
      if (slot.rendered && slot.generation === this.#generation) return slot.rendered;
      const generation = this.#generation;
      const r = om ? await this.#renderOpenMetrics() : rendered(await this.#renderText(), TEXT_CONTENT_TYPE);
      slot.rendered = r;
      slot.generation = generation;
      return r;
    });
    void next.then(
      () => void (slot.pending = false),
      () => void (slot.pending = false),
    );
    this.#rendering = next;
    return next;
  }

  /**
   * What `current` would resolve to without rendering, synchronously (the scrape path answers without a promise):
   * the bytes of the current sample, or while a render of this format is under way (a big exposition takes tens of
   * ms in slices) the previous sample's, so scrapes arriving meanwhile do not queue behind it. Undefined when a
   * render is needed.
   */
  peek(accept: string | undefined): Rendered | undefined {
    const slot = wantsOpenMetrics(accept) ? this.#formats.openMetrics : this.#formats.text;
    if (slot.rendered && (slot.generation === this.#generation || slot.pending)) return slot.rendered;
    return undefined;
  }

  /** The last rendered bytes for this Accept header, without rendering (may be stale or undefined). */
  get(accept: string | undefined): Rendered | undefined {
    return (wantsOpenMetrics(accept) ? this.#formats.openMetrics : this.#formats.text).rendered;
  }

  async #renderText(): Promise<Buffer> {
    return this.#render(false);
  }

  async #renderOpenMetrics(): Promise<Rendered> {
    return rendered(await this.#render(true), OPENMETRICS_CONTENT_TYPE);
  }

  /**
   * prom-client's Registry.metrics(), one metric at a time with a turn of the event loop whenever a 1 ms slice is
   * spent (src/lib/slice.ts): rendering every metric in one go held the serving thread 2–6 ms at each new sample.
   * Families filled from readings (SourcedFamily: probes, host, heartbeats, status; thousands of series with many
   * services) render themselves and give way inside the family too. Same output: the text format joins metrics
   * with a blank line, OpenMetrics with a newline and ends with # EOF.
   */
  async #render(om: boolean): Promise<Buffer> {
    const reg = this.#registry;
    const metrics = reg.getMetricsAsArray() as unknown as { name: string; type: string }[];
    const pacer = createPacer(1);
    const parts: Buffer[] = [];
    const separator = om ? NEWLINE : BLANK_LINE;
    // prom-client's OpenMetrics rendering renames counters in place (strips "_total"); put the names back after.
    const renamed: { m: { name: string }; name: string }[] = [];
    if (om) reg.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    try {
      for (const [i, m] of metrics.entries()) {
        if (i > 0) parts.push(separator);
        if (m instanceof SourcedFamily) for (const b of await m.render(om, pacer)) parts.push(b);
        else {
          const name = m.name;
          if (om && m.type === 'counter') {
            renamed.push({ m, name });
            m.name = name.replace(/_total$/, '');
          }
          parts.push(Buffer.from(await reg.getSingleMetricAsString(name), 'utf8')); // registered under its original name
        }
        if (pacer.due()) await pacer.yield();
      }
    } finally {
      for (const r of renamed) r.m.name = r.name;
      if (om) reg.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    }
    parts.push(om ? OM_END : NEWLINE);
    return Buffer.concat(parts);
  }
}

const NEWLINE = Buffer.from('\n');
const BLANK_LINE = Buffer.from('\n\n');
const OM_END = Buffer.from('\n# EOF\n');

function rendered(body: Buffer, contentType: string): Rendered {
  let gz: Promise<Buffer> | undefined;
  let done: Buffer | undefined;
  return {
    body,
    contentType,
    gzipped: () =>
      (gz ??= gzipAsync(body, { level: 6 }).then(
        (b) => (done = b),
        (err: unknown) => {
          gz = undefined;
          throw err;
        },
      )),
    gzippedNow: () => done,
  };
}

export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  // Prometheus sends e.g. "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
  let best = { om: 0, text: 0 };
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';').map((p) => p.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    if (type === 'application/openmetrics-text') best.om = Math.max(best.om, q);
    else if (type === 'text/plain') best.text = Math.max(best.text, q);
  }
  return best.om > 0 && best.om >= best.text;
}

export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((p) => {
    const [enc, ...params] = p.trim().split(';').map((s) => s.trim());
    const q = params.find((x) => x.startsWith('q='));
    return (enc === 'gzip' || enc === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}
