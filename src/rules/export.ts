/**
 * alerts.yaml rules → a Prometheus alerting-rules file (one group), so the same thresholds can run in
 * Prometheus against the metrics this sidecar exposes ("one threshold file, two engines").
 *
 * - expr: `metric{matchers} op threshold`; thresholds printed exactly (shortest round-trip decimal).
 * - clear (hysteresis): `(m op threshold) or (m op clear and ignoring(alertname, alertstate, severity, <rule
 *   labels>) ALERTS{alertname="X", alertstate="firing"})`. ALERTS carries the alert's labels (series labels +
 *   rule labels + alertname/severity) plus alertstate, so ignoring exactly the added ones joins each series with
 *   its own alert. Prometheus marks ALERTS stale when the alert resolves, so this equals the engine's rule
 *   "while firing, hold while value op clear" as long as the group interval is below the 5m lookback.
 * - for / keep_firing_for (Prometheus >= 2.42; the installed promtool 2.42 accepts and evaluates it). Pass
 *   `keepFiringFor: false` for older servers: the field is then left out with a comment.
 * - labels: rule labels + severity; annotations: summary/description translated to Go templating:
 *   {{ value }} → {{ $value }}, | percent → humanizePercentage, | bytes → humanize1024 + "B",
 *   | duration → humanizeDuration, | round N → printf "%.Nf"; {{ labels.x }} → {{ $labels.x }}; alert, metric,
 *   severity, threshold and rule labels are known statically and written as text. `instance` (an external label of
 *   the sidecar, the host name) comes from the scrape in Prometheus, so `$labels.instance` stays; other external
 *   labels the metric lacks become `$externalLabels.NAME` (opts.externalLabels).
 * - What Prometheus cannot express is left as a YAML comment on the rule: channels (routing belongs to
 *   Alertmanager), regex constructs RE2 lacks, unknown template placeholders.
 */
import { Document, YAMLMap } from 'yaml';
import type { RuleConfig } from './rule-schema.ts';
import { formatDuration } from '../lib/duration.ts';
import { parseMatchers } from './matchers.ts';
import { applyFilter, parseTemplate } from './templates.ts';

export interface ExportOptions {
  /** rule group name (default "prodpulse") */
  groupName?: string;
  /** evaluation interval of the group in ms; Prometheus' global default when absent */
  intervalMs?: number;
  /** emit keep_firing_for (Prometheus >= 2.42); default true */
  keepFiringFor?: boolean;
  /**
   * the sidecar's external label names (alerts.yaml external_labels). A template label that is one of them and not a
   * label of the rule's metric reads Prometheus' own `$externalLabels`; `instance` always comes from the scrape.
   */
  externalLabels?: readonly string[];
  /** metric → label names (src/wiring/catalog.ts), to tell a series label from an external one */
  metricLabels?: Readonly<Record<string, readonly string[]>>;
}

/** A number as a PromQL literal. */
export function promNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  return String(n);
}

/** A PromQL double-quoted string (JSON escaping is a subset of Go's). */
const promString = (s: string) => JSON.stringify(s);

/** `metric{a="x", b=~"y"}` from a rule's metric and match map. */
export function promSelector(metric: string, match: Record<string, string>): string {
  const ms = parseMatchers(match).map((m) => `${m.name}${m.op}${promString(m.value)}`);
  return ms.length ? `${metric}{${ms.join(', ')}}` : metric;
}

/** The PromQL expression of a rule, hysteresis included. */
export function promExpr(rule: RuleConfig): string {
  const sel = promSelector(rule.metric, rule.match);
  const fire = `${sel} ${rule.op} ${promNumber(rule.threshold)}`;
  if (rule.clear === undefined) return fire;
  const ignored = [...new Set(['alertname', 'alertstate', 'severity', ...Object.keys(rule.labels)])].sort();
  const alerts = `ALERTS{alertname=${promString(rule.alert)}, alertstate="firing"}`;
  return `(${fire}) or (${sel} ${rule.op} ${promNumber(rule.clear)} and ignoring(${ignored.join(', ')}) ${alerts})`;
}

const JS_ONLY_REGEX = /\(\?<?[=!]|\(\?<[a-zA-Z]|\\[1-9]|\\[kpPuc]/;

/** Translates one of our templates into Prometheus (Go) templating; notes list what could not be translated. */
export function promTemplate(text: string, rule: RuleConfig, opts: ExportOptions = {}): { text: string; notes: string[] } {
  const seriesLabels = opts.metricLabels?.[rule.metric];
  const notes: string[] = [];
  const out = parseTemplate(text).map((part) => {
    if (part.type === 'text') return part.text.replaceAll('{{', '{{ "{{" }}');
    if (part.type === 'invalid') {
      notes.push(`${part.raw}: ${part.error}; kept as text`);
      return `{{ ${promString(`[?${part.raw}]`)} }}`;
    }
    const p = part.placeholder;
    if (p.kind === 'text') return p.name === 'alert' ? rule.alert : p.name === 'metric' ? rule.metric : rule.severity;
    if (p.kind === 'label') {
      if (p.name === 'alertname') return rule.alert;
      if (p.name === 'severity') return rule.severity;
      const fixed = rule.labels[p.name];
      if (fixed !== undefined) return fixed.replaceAll('{{', '{{ "{{" }}');
      if (p.name !== 'instance' && opts.externalLabels?.includes(p.name) && seriesLabels !== undefined && !seriesLabels.includes(p.name)) {
        notes.push(`labels.${p.name}: an external label of the sidecar; set it in Prometheus' global.external_labels`);
        return `{{ $externalLabels.${p.name} }}`;
      }
      return `{{ $labels.${p.name} }}`;
    }
    if (p.name === 'threshold') return applyFilter(rule.threshold, p.filter);
    switch (p.filter?.name) {
      case undefined:
        return '{{ $value }}';
      case 'percent':
        return '{{ $value | humanizePercentage }}';
      case 'bytes':
        return '{{ $value | humanize1024 }}B';
      case 'duration':
        return '{{ $value | humanizeDuration }}';
      case 'round':
        return `{{ printf "%.${p.filter.digits}f" $value }}`;
    }
  });
  return { text: out.join(''), notes };
}

/** The summary Prometheus shows when the rule has none (our default, without the series' label set). */
function defaultPromSummary(rule: RuleConfig): string {
  return `${rule.alert}: ${rule.metric} is {{ $value }} (${rule.op} ${promNumber(rule.threshold)})`;
}

/** One Prometheus alerting rule plus the comments saying what it could not carry over. */
export function promRule(rule: RuleConfig, opts: ExportOptions = {}): { rule: Record<string, unknown>; notes: string[] } {
  const notes: string[] = [];
  const out: Record<string, unknown> = { alert: rule.alert, expr: promExpr(rule) };
  if (rule.clear !== undefined) notes.push(`clear ${promNumber(rule.clear)}: hysteresis via ALERTS (keep the group interval under 5m)`);
  if (rule.for > 0) out.for = formatDuration(rule.for);
  if (rule.keep_firing_for > 0) {
    if (opts.keepFiringFor === false) notes.push(`keep_firing_for: ${formatDuration(rule.keep_firing_for)} left out (needs Prometheus >= 2.42)`);
    else out.keep_firing_for = formatDuration(rule.keep_firing_for);
  }
  out.labels = { ...rule.labels, severity: rule.severity };
  const summary = rule.summary === undefined ? { text: defaultPromSummary(rule), notes: [] } : promTemplate(rule.summary, rule, opts);
  const annotations: Record<string, string> = { summary: summary.text };
  notes.push(...summary.notes.map((n) => `summary: ${n}`));
  if (rule.description !== undefined) {
    const d = promTemplate(rule.description, rule, opts);
    annotations.description = d.text;
    notes.push(...d.notes.map((n) => `description: ${n}`));
  }
  out.annotations = annotations;
  for (const m of parseMatchers(rule.match))
    if ((m.op === '=~' || m.op === '!~') && JS_ONLY_REGEX.test(m.value))
      notes.push(`match.${m.name} uses a JavaScript regex construct RE2 (Prometheus) may reject or read differently`);
  if (rule.channels?.length) notes.push(`channels ${rule.channels.join(', ')}: prodpulse routing only; route on labels in Alertmanager`);
  return { rule: out, notes };
}

/** A complete Prometheus rule file (YAML) with one group holding every rule. */
export function exportPrometheusRules(rules: RuleConfig[], opts: ExportOptions = {}): string {
  const built = rules.map((r) => promRule(r, opts));
  const group: Record<string, unknown> = { name: opts.groupName ?? 'prodpulse' };
  if (opts.intervalMs !== undefined) group.interval = formatDuration(opts.intervalMs);
  group.rules = built.map((b) => b.rule);
  const doc = new Document({ groups: [group] });
  doc.commentBefore = ' Generated by prodpulse export-rules from alerts.yaml; edit alerts.yaml, not this file.';
  built.forEach((b, i) => {
    const node = doc.getIn(['groups', 0, 'rules', i], true);
    if (b.notes.length && node instanceof YAMLMap) node.commentBefore = b.notes.map((n) => ` ${n}`).join('\n');
  });
  return doc.toString({ lineWidth: 0 });
}
