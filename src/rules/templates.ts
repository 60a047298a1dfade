/**
 * Summary/description templates of alerts.yaml rules.
 *
 *   {{ value }}  {{ threshold }}           numbers; filters: | percent  | bytes  | duration  | round N
 *   {{ labels.NAME }}                      a label of the alert ("" when the series lacks it, as in Prometheus)
 *   {{ alert }}  {{ severity }}  {{ metric }}
 *
 * Rendering never throws: an unknown placeholder is kept, wrapped as "[?{{ … }}]" so a reader sees it.
 * `validateTemplate` reports the same problems as errors for the config check. `parseTemplate` is shared with the
 * Prometheus export, which translates the same parts into Go templating.
 */

import { formatInUnit, unitOf } from './units.ts';

export const NUMERIC_VARIABLES = ['value', 'threshold'] as const;
export const TEXT_VARIABLES = ['alert', 'severity', 'metric'] as const;
export const FILTERS = ['percent', 'bytes', 'duration', 'round'] as const;
export type FilterName = (typeof FILTERS)[number];

export interface TemplateContext {
  value: number;
  threshold: number;
  labels: Record<string, string>;
  alert: string;
  severity: string;
  metric: string;
}

export type Placeholder =
  | { kind: 'number'; name: 'value' | 'threshold'; filter?: { name: FilterName; digits: number } }
  | { kind: 'text'; name: 'alert' | 'severity' | 'metric' }
  | { kind: 'label'; name: string };

export type TemplatePart =
  | { type: 'text'; text: string }
  | { type: 'placeholder'; raw: string; placeholder: Placeholder }
  | { type: 'invalid'; raw: string; error: string };

const PLACEHOLDER_RE = /\{\{([\s\S]*?)\}\}/g;
const LABEL_RE = /^labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/;

function parsePlaceholder(inner: string): Placeholder | string {
  const [head = '', ...filters] = inner.split('|').map((s) => s.trim());
  if (filters.length > 1) return `only one filter is allowed in "{{${inner}}}"`;
  const filterText = filters[0];
  const label = LABEL_RE.exec(head);
  if (label) return filterText === undefined ? { kind: 'label', name: label[1]! } : `filters apply to value and threshold only, not "${head}"`;
  if ((TEXT_VARIABLES as readonly string[]).includes(head))
    return filterText === undefined ? { kind: 'text', name: head as 'alert' | 'severity' | 'metric' } : `filters apply to value and threshold only, not "${head}"`;
  if (head !== 'value' && head !== 'threshold')
    return `unknown variable "${head}" (known: value, threshold, labels.NAME, alert, severity, metric)`;
  if (filterText === undefined) return { kind: 'number', name: head };
  const [fname = '', ...args] = filterText.split(/\s+/);
  if (!(FILTERS as readonly string[]).includes(fname)) return `unknown filter "${fname}" (known: ${FILTERS.join(', ')})`;
  if (fname !== 'round') return args.length ? `filter "${fname}" takes no argument` : { kind: 'number', name: head, filter: { name: fname as FilterName, digits: 0 } };
  if (args.length > 1 || (args[0] !== undefined && !/^\d{1,2}$/.test(args[0])))
    return 'filter "round" takes one argument: the number of decimals (0-15)';
  const digits = Number(args[0] ?? 0);
  if (digits > 15) return 'filter "round" takes one argument: the number of decimals (0-15)';
  return { kind: 'number', name: head, filter: { name: 'round', digits } };
}

// Rules render their templates on every evaluation; the texts are few and fixed, so parse each once.
const parsedTemplates = new Map<string, readonly TemplatePart[]>();

/** Splits a template into literal text and placeholders (cached per text; do not mutate the result). */
export function parseTemplate(text: string): readonly TemplatePart[] {
  let parts = parsedTemplates.get(text);
  if (parts === undefined) {
    if (parsedTemplates.size > 1000) parsedTemplates.clear();
    parsedTemplates.set(text, (parts = parseTemplateUncached(text)));
  }
  return parts;
}

function parseTemplateUncached(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (m.index > last) parts.push({ type: 'text', text: text.slice(last, m.index) });
    const parsed = parsePlaceholder(m[1]!);
    parts.push(typeof parsed === 'string' ? { type: 'invalid', raw: m[0], error: parsed } : { type: 'placeholder', raw: m[0], placeholder: parsed });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}

/** An error message for the first unknown variable, filter or unclosed "{{"; undefined when the template is fine. */
export function validateTemplate(text: string): string | undefined {
  for (const part of parseTemplate(text)) {
    if (part.type === 'invalid') return part.error;
    if (part.type === 'text' && part.text.includes('{{')) return 'unclosed "{{" (placeholders look like {{ value }})';
  }
  return undefined;
}

// ---- number formatting -----------------------------------------------------------------------------------------

/** Plain number: integers as is, others with at most 6 significant digits; ±Inf and NaN like Prometheus. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Ratio as a percentage with 4 significant digits (like Prometheus humanizePercentage): 0.934 → "93.4%". */
export function formatPercent(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  return `${String(Number((v * 100).toPrecision(4)))}%`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;
/** Bytes in IEC units, at most 2 decimals: 1610612736 → "1.5 GiB". */
export function formatBytes(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  let n = Math.abs(v);
  let unit = 0;
  while (n >= 1024 && unit < IEC.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${v < 0 ? '-' : ''}${String(Number(n.toFixed(2)))} ${IEC[unit]}`;
}

const DURATION_UNITS = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const;
/** Seconds as the two largest units: 7380 → "2h 3m", 45 → "45s", 0.25 → "250ms". */
export function formatSeconds(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  const sign = v < 0 ? '-' : '';
  const abs = Math.abs(v);
  if (abs === 0) return '0s';
  if (abs < 1) return `${sign}${Math.round(abs * 1000)}ms`;
  let rest = Math.round(abs);
  const out: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (out.length === 0 && n === 0) continue;
    if (n > 0) out.push(`${n}${unit}`);
    if (out.length === 2 || (out.length === 1 && n === 0)) break;
  }
  return sign + out.join(' ');
}

export function applyFilter(v: number, filter: { name: FilterName; digits: number } | undefined): string {
  switch (filter?.name) {
    case undefined:
      return formatNumber(v);
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(v);
    case 'duration':
      return formatSeconds(v);
    case 'round':
      return Number.isFinite(v) ? v.toFixed(filter.digits) : formatNumber(v);
  }
}

/** Renders a template; never throws. Unknown placeholders stay visible as "[?{{ … }}]". */
export function renderTemplate(text: string, ctx: TemplateContext): string {
  return parseTemplate(text)
    .map((part) => {
      if (part.type === 'text') return part.text;
      if (part.type === 'invalid') return `[?${part.raw}]`;
      const p = part.placeholder;
      if (p.kind === 'label') return ctx.labels[p.name] ?? '';
      if (p.kind === 'text') return ctx[p.name];
      return applyFilter(ctx[p.name], p.filter);
    })
    .join('');
}

/** `{a="x", b="y"}` (sorted), or "" for no labels. */
export function formatLabelSet(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}` : '';
}

/** The summary used when a rule has none: "<alert>: <metric>{labels} is <value> (<op> <threshold>)", in the metric's unit. */
export function defaultSummary(a: { alert: string; metric: string; op: string; threshold: number }, seriesLabels: Record<string, string>, value: number): string {
  const unit = unitOf(a.metric);
  return `${a.alert}: ${a.metric}${formatLabelSet(seriesLabels)} is ${formatInUnit(value, unit)} (${a.op} ${formatInUnit(a.threshold, unit)})`;
}
