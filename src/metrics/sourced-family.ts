import type { Reading } from '../sources/source.ts';
import { neverDue, type Pacer } from '../lib/slice.ts';

/** One series of a family, as prom-client's `get()` lists it. */
export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Series rendered between two looks at the pacer's clock (a clock read per series would cost more than the series). */
const SERIES_PER_CHECK = 64;

/**
 * A metric family whose series are the readings of the latest snapshot: a gauge or counter registered in the
 * prom-client Registry (so registry order, `getSingleMetricAsString`, `metrics()` and `getMetricsAsJSON` see it as
 * before), but filled by collecting readings (no per-series hashing, label validation or object churn at publish)
 * and rendered by ExpositionCache through `render`, paced, with the text kept until the next snapshot.
 *
 * Same output and series semantics as a prom-client Gauge / Counter that was `reset()` and then `set` / `inc` with
 * every reading: series keyed by their label values (label order does not matter), a gauge keeps the last value
 * and the last labels object, a counter sums its values and keeps the first labels object, an unlabelled family
 * with no reading shows one series at 0; a reading with a label the family does not declare is dropped (prom-client
 * throws), non-finite values are dropped, and so are negative counter values.
 */
export class SourcedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly labelNames: readonly string[];
  /** prom-client's cluster aggregation, for the Registry's JSON/cluster paths */
  readonly aggregator = 'sum';
  readonly #sortedLabelNames: readonly string[];
  readonly #declared: ReadonlySet<string>;
  #readings: { labels: Record<string, string>; value: number }[] = [];
  /** the lines of the current readings, without the HELP/TYPE head (the same in both formats unless a counter) */
  #lines: Buffer[] | undefined;
  readonly #head: { text: Buffer; openMetrics: Buffer };
  readonly #omSeriesName: string;

  constructor(name: string, spec: { type: 'gauge' | 'counter'; help: string; labels: readonly string[] }) {
    this.name = name;
    this.help = spec.help;
    this.type = spec.type;
    this.labelNames = [...spec.labels];
    this.#sortedLabelNames = [...spec.labels].sort();
    this.#declared = new Set(spec.labels);
    const help = escapeString(spec.help);
    // prom-client's OpenMetrics rendering names a counter's family without "_total" and its samples with it
    const omName = spec.type === 'counter' ? name.replace(/_total$/, '') : name;
    this.#omSeriesName = spec.type === 'counter' ? `${omName}_total` : name;
    this.#head = {
      text: Buffer.from(`# HELP ${name} ${help}\n# TYPE ${name} ${spec.type}`, 'utf8'),
      openMetrics: Buffer.from(`# HELP ${omName} ${help}\n# TYPE ${omName} ${spec.type}`, 'utf8'),
    };
  }

  /** Drops every series (the start of a new snapshot). */
  reset(): void {
    this.#readings = [];
    this.#lines = undefined;
  }

  /** Adds one reading (of this family's metric) to the current snapshot's series. */
  add(r: Reading): void {
    if (!Number.isFinite(r.value) || (this.type === 'counter' && r.value < 0)) return;
    this.#readings.push(r);
    this.#lines = undefined;
  }

  /** Gauge-like: one series set to `value` (for families filled outside a snapshot, e.g. prodpulse_status). */
  set(labels: Record<string, string>, value: number): void {
    this.add({ metric: this.name, labels, value });
  }

  /** The series, deduplicated by label values the way prom-client does. */
  async series(pacer: Pacer = neverDue): Promise<Series[]> {
    const { labels, values } = await this.#dedup(pacer);
    return labels.map((l, i) => ({ labels: l, value: values[i]! }));
  }

  /**
   * Series as parallel arrays (labels objects, values, the label part of each line), deduplicated by label values.
   * The key is the line's label text itself when the reading lists its labels in declaration order (every source
   * does), so the common case formats each label set once and allocates no extra key.
   */
  async #dedup(pacer: Pacer): Promise<{ labels: Record<string, string>[]; values: number[]; text: string[] }> {
    const labels: Record<string, string>[] = [];
    const values: number[] = [];
    const text: string[] = [];
    const index = new Map<string, number>();
    if (this.labelNames.length === 0) {
      labels.push({});
      values.push(0);
      text.push('');
      index.set('', 0);
    }
    const readings = this.#readings;
    const declared = this.labelNames;
    for (let i = 0; i < readings.length; i++) {
      if (i % SERIES_PER_CHECK === SERIES_PER_CHECK - 1 && pacer.due()) await pacer.yield();
      const r = readings[i]!;
      let own = '';
      let j = 0;
      let inOrder = true;
      let valid = true;
      for (const k in r.labels) {
        const v = r.labels[k]!;
        if (inOrder) {
          while (j < declared.length && declared[j] !== k) j++;
          if (j === declared.length) {
            inOrder = false;
            if (!this.#declared.has(k)) valid = false;
          } else j++;
        } else if (!this.#declared.has(k)) valid = false;
        own += `${own === '' ? '' : ','}${k}="${NEEDS_ESCAPE.test(v) ? escapeLabelValue(v) : v}"`;
      }
      if (!valid) continue;
      const key = inOrder ? own : this.#canonical(r.labels);
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, labels.length);
        labels.push(r.labels);
        values.push(r.value);
        text.push(own);
      } else if (this.type === 'counter') values[at]! += r.value;
      else {
        labels[at] = r.labels;
        values[at] = r.value;
        text[at] = own;
      }
    }
    return { labels, values, text };
  }

  /** The label text in declaration order (a key for label sets listed in another order). */
  #canonical(l: Record<string, string>): string {
    let out = '';
    for (const k of this.labelNames) {
      const v = l[k];
      if (v !== undefined) out += `${out === '' ? '' : ','}${k}="${NEEDS_ESCAPE.test(v) ? escapeLabelValue(v) : v}"`;
    }
    return out;
  }

  /** prom-client's metric interface: what Registry#getMetricsAsString formats (tests and JSON use it). */
  async get(): Promise<{ name: string; help: string; type: string; values: Series[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: this.type, values: await this.series(), aggregator: this.aggregator };
  }

  /**
   * The family in the text format (or OpenMetrics): HELP, TYPE and one line per series, no trailing newline,
   * exactly as prom-client's Registry renders it, as UTF-8 chunks of a few dozen lines (small flat strings encode
   * fast; one big string would be flattened and encoded in one go). Gives way to the event loop every few dozen
   * series when the pacer is due; the chunks are kept until the next `reset` / `add`, so both formats and every
   * scrape of a snapshot cost one formatting pass.
   */
  async render(openMetrics: boolean, pacer: Pacer = neverDue): Promise<Buffer[]> {
    const head = openMetrics ? this.#head.openMetrics : this.#head.text;
    if (openMetrics && this.type === 'counter') return [head, ...(await this.#format(this.#omSeriesName, pacer))];
    if (this.#lines === undefined) {
      const readings = this.#readings;
      const lines = await this.#format(this.name, pacer);
      // only keep them if no snapshot replaced the readings while we gave way
      if (this.#readings === readings) this.#lines = lines;
      return [head, ...lines];
    }
    return [head, ...this.#lines];
  }

  /** render() as one string (tests). */
  async renderText(openMetrics: boolean, pacer: Pacer = neverDue): Promise<string> {
    return Buffer.concat(await this.render(openMetrics, pacer)).toString('utf8');
  }

  async #format(seriesName: string, pacer: Pacer): Promise<Buffer[]> {
    const { values, text } = await this.#dedup(pacer);
    const chunks: Buffer[] = [];
    let out = '';
    for (let i = 0; i < values.length; i++) {
      if (i % SERIES_PER_CHECK === SERIES_PER_CHECK - 1) {
        chunks.push(Buffer.from(out, 'utf8'));
        out = '';
        if (pacer.due()) await pacer.yield();
      }
      const l = text[i]!;
      out += l === '' ? `\n${seriesName} ${valueString(values[i]!)}` : `\n${seriesName}{${l}} ${valueString(values[i]!)}`;
    }
    if (out !== '') chunks.push(Buffer.from(out, 'utf8'));
    return chunks;
  }
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** prom-client's escapeString (HELP text): backslash and newline. */
function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** prom-client's escapeLabelValue: backslash, newline and double quote. */
function escapeLabelValue(s: string): string {
  return escapeString(s).replace(/"/g, '\\"');
}

/** prom-client's getValueAsString (only finite values are kept, so the other branches are for completeness). */
function valueString(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}
