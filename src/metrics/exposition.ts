import { gzipSync } from 'node:zlib';
import { Registry, type RegistryContentType } from 'prom-client';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export interface Rendered {
  body: Buffer;
  /** gzip of body, computed on the first request that accepts gzip, then kept */
  gzipped(): Buffer;
  contentType: string;
}

/**
 * Renders the registry once per sampling cycle into both formats and serves those bytes until the next cycle.
 * A scrape never renders and never samples.
 */
export class ExpositionCache {
  readonly #registry: Registry<RegistryContentType>;
  #text: Rendered | undefined;
  #openMetrics: Rendered | undefined;
  #rendering: Promise<void> = Promise.resolve();

  constructor(registry: Registry<RegistryContentType>) {
    this.#registry = registry;
  }

  get ready(): boolean {
    return this.#text !== undefined;
  }

  /** Renders both formats; calls are serialised because prom-client renders through shared metric objects. */
  refresh(): Promise<void> {
    // a failed render must not poison the chain: the next cycle renders afresh
    this.#rendering = this.#rendering.catch(() => {}).then(() => this.#render());
    return this.#rendering;
  }

  async #render(): Promise<void> {
    const reg = this.#registry;
    reg.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    const text = await reg.metrics();
    // prom-client's OpenMetrics rendering renames counters in place (strips "_total"); put the names back after.
    const metrics = reg.getMetricsAsArray() as unknown as { name: string }[];
    const names = metrics.map((m) => m.name);
    reg.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    let om: string;
    try {
      om = await reg.metrics();
    } finally {
      metrics.forEach((m, i) => (m.name = names[i]!));
      reg.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    }
    this.#text = rendered(text, TEXT_CONTENT_TYPE);
    this.#openMetrics = rendered(om, OPENMETRICS_CONTENT_TYPE);
  }

  /** Picks the format by the Accept header (OpenMetrics only when asked for). */
  get(accept: string | undefined): Rendered | undefined {
    return wantsOpenMetrics(accept) ? this.#openMetrics : this.#text;
  }
}

function rendered(text: string, contentType: string): Rendered {
  const body = Buffer.from(text, 'utf8');
  let gz: Buffer | undefined;
  return { body, contentType, gzipped: () => (gz ??= gzipSync(body, { level: 6 })) };
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
