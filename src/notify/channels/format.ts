import type { AlertEvent } from '../types.ts';
import { formatDuration } from '../../config/duration.ts';

/** Shared text rendering for channels: titles, per-alert lines, timestamps. Pure functions, no I/O. */

export const SEVERITY_EMOJI: Record<AlertEvent['severity'], string> = {
  critical: ':red_circle:',
  warning: ':warning:',
  info: ':information_source:',
};
export const RESOLVED_EMOJI = ':white_check_mark:';

/** Unique alert names in order of first appearance. */
export function alertNames(events: readonly AlertEvent[]): string[] {
  return [...new Set(events.map((e) => e.alert))];
}

/** "[FIRING:2] HostHighCpu, DiskAlmostFull" or "[RESOLVED] HostHighCpu"; at most `maxNames` names, then "+N more". */
export function title(events: readonly AlertEvent[], maxNames = 3): string {
  const firing = events.filter((e) => e.kind === 'firing').length;
  const names = alertNames(events);
  const shown = names.slice(0, maxNames).join(', ') + (names.length > maxNames ? ` +${names.length - maxNames} more` : '');
  return `${firing > 0 ? `[FIRING:${firing}]` : '[RESOLVED]'} ${shown}`.trimEnd();
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

/** One alert as plain-text lines, used by email text parts and the Slack `text` fallback. */
export function alertLines(e: AlertEvent): string[] {
  const state = e.kind === 'firing' ? 'FIRING' : 'RESOLVED';
  const lines = [
    `${state} ${e.alert} (${e.severity}): ${summaryOf(e)}`,
    `  value: ${formatValue(e.value)} (threshold ${formatValue(e.threshold)})`,
    `  ${timeLine(e)}`,
  ];
  const labels = labelsText(e);
  if (labels) lines.push(`  labels: ${labels}`);
  const description = e.annotations.description;
  if (description) lines.push(`  description: ${description}`);
  return lines;
}

/** The whole group as plain text: title, blank line, one block per alert (at most `maxAlerts`), optional link. */
export function plainText(events: readonly AlertEvent[], externalUrl?: string, maxAlerts = Infinity): string {
  const shown = events.slice(0, maxAlerts);
  return plainTextOf(events, shown.map(alertBlock), externalUrl);
}

/** One alert's plain-text block (alertLines joined). */
export function alertBlock(e: AlertEvent): string {
  return alertLines(e).join('\n');
}

/** plainText from blocks already formatted (possibly fewer than the events: the rest are counted). */
export function plainTextOf(events: readonly AlertEvent[], blocks: readonly string[], externalUrl?: string): string {
  const parts = [title(events), '', ...blocks.flatMap((b) => [b, ''])];
  const hidden = events.length - blocks.length;
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

/** Link back to this sidecar for an alert, when its external URL is known. */
export function generatorUrl(externalUrl: string | undefined, e: AlertEvent): string {
  if (!externalUrl) return '';
  return `${externalUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(e.fingerprint)}?alert=${encodeURIComponent(e.alert)}`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Slack mrkdwn needs only &, < and > escaped. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
