import type { AlertEvent } from '../types.ts';
import { formatDuration } from '../../lib/duration.ts';
import { formatMetricValue } from '../../rules/units.ts';
import { alertLinks } from '../links.ts';

/** Shared text rendering for channels: titles, per-alert lines, timestamps. Pure functions, no I/O. */

export const SEVERITY_EMOJI: Record<AlertEvent['severity'], string> = {
  critical: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};
export const RESOLVED_EMOJI = ':white_check_mark:';

/** Unique alert names in the order people read them (see forPeople). */
export function alertNames(events: readonly AlertEvent[]): string[] {
  return [...new Set(forPeople(events).map((e) => e.alert))];
}

const SEVERITY_RANK: Record<AlertEvent['severity'], number> = { critical: 0, warning: 1, info: 2 };

/** The order of a message: firing before resolved, then critical, warning, info; otherwise as they came. */
export function forPeople(events: readonly AlertEvent[]): AlertEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.kind === b.e.kind ? 0 : a.e.kind === 'firing' ? -1 : 1) || SEVERITY_RANK[a.e.severity] - SEVERITY_RANK[b.e.severity] || a.i - b.i)
    .map((x) => x.e);
}

/** The hosts (instance labels) a group is about, in order of first appearance. */
export function instancesOf(events: readonly AlertEvent[]): string[] {
  return [...new Set(events.map((e) => e.labels.instance).filter((v): v is string => v !== undefined && v !== ''))];
}

/** " on web-1", " on 3 hosts", or "" when no alert names a host. */
export function whereText(events: readonly AlertEvent[]): string {
  const hosts = instancesOf(events);
  return hosts.length === 0 ? '' : hosts.length === 1 ? ` on ${hosts[0]}` : ` on ${hosts.length} hosts`;
}

/**
 * "[FIRING:2] HostHighCpu, DiskAlmostFull on web-1" or "[RESOLVED] HostHighCpu on 3 hosts": names by severity
 * (critical first), at most `maxNames`, then "+N more".
 */
export function title(events: readonly AlertEvent[], maxNames = 3): string {
  const firing = events.filter((e) => e.kind === 'firing').length;
  const names = alertNames(events);
  const shown = names.slice(0, maxNames).join(', ') + (names.length > maxNames ? ` +${names.length - maxNames} more` : '');
  return `${firing > 0 ? `[FIRING:${firing}]` : '[RESOLVED]'} ${shown}${whereText(events)}`.trimEnd();
}

/** Alertmanager-style group status: firing when any event fires. */
export function groupStatus(events: readonly AlertEvent[]): 'firing' | 'resolved' {
  return events.some((e) => e.kind === 'firing') ? 'firing' : 'resolved';
}

/** Up to 4 significant digits, no exponent for ordinary magnitudes: 0.95342 → "0.9534", 12345.6 → "12346". */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

/** The event's value in its metric's unit: "23.54 GiB", "24.2%", "2h 3m". */
export function valueText(e: AlertEvent): string {
  return formatMetricValue(e.metric, e.value);
}

/** The rule's threshold in the metric's unit. */
export function thresholdText(e: AlertEvent): string {
  return formatMetricValue(e.metric, e.threshold);
}

/** "2026-01-01 12:00:05 UTC" */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** RFC 3339 as Alertmanager writes it; undefined → the zero time Alertmanager uses for "not ended". */
export function rfc3339(ms: number | undefined): string {
  return ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}

/** "started 2026-01-01 12:00:00 UTC" or "resolved 2026-01-01 12:05:00 UTC (lasted 5m)". */
export function timeLine(e: AlertEvent): string {
  if (e.kind === 'resolved' && e.endsAt !== undefined)
    return `resolved ${formatTime(e.endsAt)} (lasted ${formatDuration(Math.max(0, Math.round((e.endsAt - e.startsAt) / 1000) * 1000))})`;
  return `started ${formatTime(e.startsAt)}`;
}

/** Labels shown to people: all but alertname/severity, which the heading already carries. */
export function displayLabels(e: AlertEvent): [string, string][] {
  return Object.entries(e.labels).filter(([k]) => k !== 'alertname' && k !== 'severity');
}

export function labelsText(e: AlertEvent): string {
  return displayLabels(e)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}

/** The summary, falling back to the alert name. */
export function summaryOf(e: AlertEvent): string {
  return e.summary || e.annotations.summary || e.alert;
}

/**
 * What a message shows as one block: a single alert, or alerts of one rule, state and severity that differ only in
 * the value of one label (CPU 0, CPU 1, CPU all), listed once with that label's values instead of as copies.
 */
export interface AlertBlock {
  events: AlertEvent[];
  /** the label whose values tell the events apart; undefined for a single alert */
  varying?: string;
}

/** Blocks in the order people read them (forPeople). Linear in the events for the usual shapes (one label varies). */
export function alertBlocksOf(events: readonly AlertEvent[]): AlertBlock[] {
  const ordered = forPeople(events);
  const rank = new Map(ordered.map((e, i) => [e, i]));
  const buckets = new Map<string, AlertEvent[]>();
  for (const e of ordered) {
    const k = `${e.kind}\u0000${e.alert}\u0000${e.severity}`;
    const list = buckets.get(k);
    if (list) list.push(e);
    else buckets.set(k, [e]);
  }
  const blocks: { events: AlertEvent[]; varying?: string; first: number }[] = [];
  const push = (list: AlertEvent[], varying?: string) => {
    const sorted = varying === undefined ? list : [...list].sort((a, b) => naturalCompare(a.labels[varying] ?? '', b.labels[varying] ?? ''));
    blocks.push({ events: sorted, ...(varying !== undefined ? { varying } : {}), first: rank.get(list[0]!) ?? 0 });
  };
  for (const bucket of buckets.values()) {
    let rest = bucket;
    // the label names whose values are not the same on every event of the bucket (a missing label counts as "")
    const varying = rest.length < 2 ? [] : varyingKeys(rest);
    for (const key of varying) {
      if (rest.length < 2) break;
      const others = varying.filter((k) => k !== key);
      const parts = new Map<string, AlertEvent[]>();
      for (const e of rest) {
        const sig = others.map((k) => e.labels[k] ?? '').join('\u0000');
        const list = parts.get(sig);
        if (list) list.push(e);
        else parts.set(sig, [e]);
      }
      const taken = new Set<AlertEvent>();
      for (const list of parts.values()) {
        if (list.length < 2) continue;
        push(list, key);
        for (const e of list) taken.add(e);
      }
      if (taken.size) rest = rest.filter((e) => !taken.has(e));
    }
    for (const e of rest) push([e]);
  }
  return blocks.sort((a, b) => a.first - b.first).map(({ first: _first, ...b }) => b);
}

function varyingKeys(events: readonly AlertEvent[]): string[] {
  const first = events[0]!.labels;
  const keys = new Set<string>();
  for (const e of events) for (const k of Object.keys(e.labels)) keys.add(k);
  for (const k of Object.keys(first)) keys.add(k);
  return [...keys].filter((k) => events.some((e) => e.labels[k] !== first[k])).sort();
}

const collator = new Intl.Collator('en', { numeric: true });
const naturalCompare = (a: string, b: string) => collator.compare(a, b);

/** Labels of a block shown once for all its events: the shared ones, without alertname/severity and the varying one. */
export function blockLabels(b: AlertBlock): [string, string][] {
  const [head] = b.events;
  if (!head) return [];
  const common = commonEntries(b.events.map((e) => e.labels));
  return displayLabels({ ...head, labels: common }).filter(([k]) => k !== b.varying);
}

/** "cpu=0" for one event of a block. */
export function varyingText(b: AlertBlock, e: AlertEvent): string {
  return `${b.varying}=${e.labels[b.varying ?? ''] ?? ''}`;
}

/** The time line of one event, short for rows of a block: "lasted 9m" when resolved, else the start. */
export function rowTime(e: AlertEvent): string {
  if (e.kind === 'resolved' && e.endsAt !== undefined) return `lasted ${formatDuration(Math.max(0, Math.round((e.endsAt - e.startsAt) / 1000) * 1000))}`;
  return `since ${formatTime(e.startsAt)}`;
}

/** A block's heading: "FIRING HostHighCpu (critical)", with where and what varies. */
function blockHeading(b: AlertBlock): string {
  const [e] = b.events as [AlertEvent];
  const state = e.kind === 'firing' ? 'FIRING' : 'RESOLVED';
  return `${state} ${e.alert} (${e.severity})`;
}

/** One alert as plain-text lines, used by email text parts and the Slack `text` fallback. */
export function alertLines(e: AlertEvent, externalUrl?: string): string[] {
  return blockLines({ events: [e] }, externalUrl);
}

/** One block as plain-text lines. */
export function blockLines(b: AlertBlock, externalUrl?: string): string[] {
  const [e] = b.events as [AlertEvent];
  const labels = blockLabels(b).map(([k, v]) => `${k}="${v}"`).join(', ');
  const lines: string[] = [];
  if (b.varying === undefined) {
    const links = alertLinks(externalUrl, e.fingerprint);
    lines.push(`${blockHeading(b)}: ${summaryOf(e)}`, `  value: ${valueText(e)} (threshold ${thresholdText(e)})`, `  ${timeLine(e)}`);
    if (labels) lines.push(`  labels: ${labels}`);
    if (e.annotations.description) lines.push(`  description: ${e.annotations.description}`);
    if (links) lines.push(`  alert: ${links.alert}`, `  silence: ${links.silence}`);
    return lines;
  }
  lines.push(`${blockHeading(b)}: ${b.events.length} alerts by ${b.varying}: ${b.events.map((x) => x.labels[b.varying!] ?? '').join(', ')}`);
  for (const x of b.events) {
    const links = alertLinks(externalUrl, x.fingerprint);
    lines.push(`  ${varyingText(b, x)}: ${valueText(x)} · ${rowTime(x)} · ${summaryOf(x)}${links ? ` · ${links.alert}` : ''}`);
  }
  lines.push(`  threshold: ${thresholdText(e)}`);
  if (labels) lines.push(`  labels: ${labels}`);
  const description = commonEntries(b.events.map((x) => x.annotations)).description;
  if (description) lines.push(`  description: ${description}`);
  return lines;
}

/** The whole group as plain text: title, blank line, one block per alert (at most `maxAlerts`), optional link. */
export function plainText(events: readonly AlertEvent[], externalUrl?: string, maxAlerts = Infinity): string {
  const blocks = alertBlocksOf(events);
  const shown = blocks.slice(0, maxAlerts);
  return plainTextOf(events, shown.map((b) => blockText(b, externalUrl)), externalUrl, shown.reduce((n, b) => n + b.events.length, 0));
}

/** One alert's plain-text block (alertLines joined). */
export function alertBlock(e: AlertEvent, externalUrl?: string): string {
  return alertLines(e, externalUrl).join('\n');
}

/** One block as text (blockLines joined). */
export function blockText(b: AlertBlock, externalUrl?: string): string {
  return blockLines(b, externalUrl).join('\n');
}

/** plainText from blocks already formatted; `shownAlerts` of the events are in them, the rest are counted. */
export function plainTextOf(events: readonly AlertEvent[], blocks: readonly string[], externalUrl?: string, shownAlerts = blocks.length): string {
  const parts = [title(events), '', ...blocks.flatMap((b) => [b, ''])];
  const hidden = events.length - shownAlerts;
  if (hidden > 0) parts.push(`…and ${hidden} more alerts`, '');
  if (externalUrl) parts.push(`Source: ${externalUrl}`);
  return parts.join('\n').trimEnd() + '\n';
}

/** Labels shared by every event (Alertmanager's commonLabels); same for annotations. */
export function commonEntries(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** Link back to this sidecar for an alert (its page), when its external URL is known. */
export function generatorUrl(externalUrl: string | undefined, e: AlertEvent): string {
  return alertLinks(externalUrl, e.fingerprint)?.alert ?? '';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Slack mrkdwn needs only &, < and > escaped. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
