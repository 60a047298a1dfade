import type { FetchFunction, LogLevel, Logger as SlackLogger } from '@slack/web-api';
import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import { redactText } from '../../lib/redact.ts';
import {
  SEVERITY_EMOJI, RESOLVED_EMOJI, alertBlocksOf, blockLabels, escapeMrkdwn, plainText, rowTime, summaryOf, thresholdText, timeLine, title,
  valueText, varyingText, whereText, type AlertBlock,
} from './format.ts';
import { alertLinks } from '../links.ts';
import { isRecoverableStatus, parseRetryAfter, safeHost } from './http-errors.ts';

export type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** Slack `ok:false` errors that a later retry can get past; every other one (invalid_auth, channel_not_found, …) cannot. */
export const RECOVERABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'fatal_error', 'internal_error', 'service_unavailable', 'request_timeout']);

export interface SlackDeps {
  fetch: typeof fetch;
  now: () => number;
  externalUrl?: string | undefined;
  logger?: Logger | undefined;
  secrets: readonly string[];
}

// Block Kit, the parts we send (structurally the @slack/types blocks).
type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
type Mrkdwn = { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' };

const MAX_ALERTS_SHOWN = 20; // blocks of alerts: 2 Slack blocks each + header + context stays under Slack's 50-block limit
const MAX_FIELDS = 10; // Slack's limit per section
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** "<url|View alert> · <url|Silence>" for one alert, or "" without an external URL. */
function linksMrkdwn(externalUrl: string | undefined, fingerprint: string): string {
  const links = alertLinks(externalUrl, fingerprint);
  return links ? `<${links.alert}|View alert> · <${links.silence}|Silence>` : '';
}

/** One block of the message (a single alert, or alerts differing in one label): a section and a context line. */
function alertBlocks(b: AlertBlock, externalUrl?: string): SlackBlock[] {
  const [e] = b.events as [AlertEvent];
  const emoji = e.kind === 'resolved' ? RESOLVED_EMOJI : SEVERITY_EMOJI[e.severity];
  const where = whereText(b.events);
  const fields: Mrkdwn[] = [{ type: 'mrkdwn', text: `*Severity*\n${e.severity}` }];
  let text: string;
  if (b.varying === undefined) {
    fields.push({ type: 'mrkdwn', text: `*Value*\n${escapeMrkdwn(valueText(e))} (threshold ${escapeMrkdwn(thresholdText(e))})` });
    text = `${emoji} *${escapeMrkdwn(e.alert)}*${escapeMrkdwn(where)} — ${escapeMrkdwn(summaryOf(e))}`;
  } else {
    fields.push({ type: 'mrkdwn', text: `*Threshold*\n${escapeMrkdwn(thresholdText(e))}` });
    const rows = b.events.map((x) => {
      const links = alertLinks(externalUrl, x.fingerprint);
      const label = escapeMrkdwn(varyingText(b, x));
      return `• ${links ? `<${links.alert}|${label}>` : label}: *${escapeMrkdwn(valueText(x))}* — ${escapeMrkdwn(summaryOf(x))} (${escapeMrkdwn(rowTime(x))})`;
    });
    text = [`${emoji} *${escapeMrkdwn(e.alert)}*${escapeMrkdwn(where)} — ${b.events.length} alerts by *${escapeMrkdwn(b.varying)}*`, ...rows].join('\n');
  }
  const labels = blockLabels(b).map(([k, v]): Mrkdwn => ({ type: 'mrkdwn', text: cut(`*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}`, 2000) }));
  const room = MAX_FIELDS - fields.length;
  fields.push(...labels.slice(0, room));
  const rest = blockLabels(b).slice(room);
  const context = [
    escapeMrkdwn(timeLine(e)),
    ...(rest.length ? [escapeMrkdwn(rest.map(([k, v]) => `${k}="${v}"`).join(', '))] : []),
    ...(b.varying === undefined && linksMrkdwn(externalUrl, e.fingerprint) ? [linksMrkdwn(externalUrl, e.fingerprint)] : []),
  ];
  return [
    { type: 'section', text: { type: 'mrkdwn', text: cut(text, 3000) }, fields },
    { type: 'context', elements: [{ type: 'mrkdwn', text: cut(context.join(' · '), 3000) }] },
  ];
}

/**
 * The Block Kit message for a group: a header naming state, rules and host ("[FIRING:2] HostHighCpu on web-1"),
 * then per block (critical first) a section (emoji, rule, host, summary, severity, value in its unit, labels) and a
 * context line (started / resolved and how long it lasted, links to the alert and to silence it).
 */
export function slackBlocks(events: readonly AlertEvent[], externalUrl?: string): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: cut(title(events), 150), emoji: true } }];
  const all = alertBlocksOf(events);
  const shown = all.slice(0, MAX_ALERTS_SHOWN);
  for (const b of shown) blocks.push(...alertBlocks(b, externalUrl));
  const hidden = events.length - shown.reduce((n, b) => n + b.events.length, 0);
  const tail = [...(hidden > 0 ? [`…and ${hidden} more alerts`] : []), ...(externalUrl ? [`<${externalUrl}|prodpulse>`] : [])];
  if (tail.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: tail.join(' · ') }] });
  return blocks;
}

/** The chat.postMessage arguments for a group: Block Kit blocks and the plain-text fallback (notifications, search). */
export function slackMessage(channel: string, events: readonly AlertEvent[], externalUrl?: string) {
  return { channel, text: cut(plainText(events, externalUrl, MAX_ALERTS_SHOWN), 4000), blocks: slackBlocks(events, externalUrl), unfurl_links: false };
}

// @slack/web-api (and axios under it) is loaded only when a Slack channel is configured and active (prepare): a
// sidecar without Slack skips it.
// Its error codes and log level, as the SDK defines them (ErrorCode, LogLevel), so matching them needs no import.
const ErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const;
const WARN = 'warn' as LogLevel;

/** Forwards the SDK's own log lines (warn/error only) to our logger, redacted. */
function slackLogger(logger: Logger | undefined, secrets: readonly string[]): SlackLogger {
  const fwd = (level: 'warn' | 'error') => (...msg: unknown[]) => logger?.[level]({ component: 'slack-sdk' }, redactText(msg.map(String).join(' '), secrets));
  return { debug() {}, info() {}, warn: fwd('warn'), error: fwd('error'), setLevel() {}, getLevel: () => WARN, setName() {} };
}

/** Maps whatever WebClient threw to a NotifyError whose text carries no secret. */
export function slackError(what: string, err: unknown, retryAfterHeader: string | null, secrets: readonly string[], now: number): NotifyError {
  const e = err as { code?: string; name?: string; message?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; original?: { name?: string; message?: string; cause?: { code?: string } } };
  const msg = (text: string) => redactText(`${what}: ${text}`, secrets);
  switch (e?.code) {
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new NotifyError(msg(`Slack API error ${code}`), { recoverable: RECOVERABLE_SLACK_ERRORS.has(code), reason: code });
    }
    case ErrorCode.RateLimitedError:
      return new NotifyError(msg(`rate limited, retry after ${e.retryAfter}s`), { recoverable: true, reason: 'rate_limited', retryAfterMs: (e.retryAfter ?? 0) * 1000 });
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return new NotifyError(msg(`HTTP ${status}`), { recoverable: isRecoverableStatus(status), reason: `http_${status}` });
    }
    case ErrorCode.RequestError: {
      const o = e.original;
      const timedOut = o?.name === 'TimeoutError' || o?.name === 'AbortError';
      return new NotifyError(msg(`request failed: ${timedOut ? 'timed out or aborted' : [o?.cause?.code, o?.message].filter(Boolean).join(' ')}`), {
        recoverable: true,
        reason: timedOut ? 'timeout' : 'network',
      });
    }
  }
  // 429 whose Retry-After the SDK could not read as seconds (an HTTP-date, or missing)
  if (/Retry header did not contain a valid timeout/.test(e?.message ?? '')) {
    const retryAfterMs = parseRetryAfter(retryAfterHeader, now);
    return new NotifyError(msg('rate limited'), { recoverable: true, reason: 'rate_limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return new NotifyError(msg(`unexpected error: ${e?.message ?? String(err)}`), { recoverable: true, reason: 'unknown' });
}

interface SendState {
  signal: AbortSignal;
  retryAfter: string | null;
}

export function createSlackChannel(name: string, cfg: SlackConfig, deps: SlackDeps): Channel {
  const apiUrl = cfg.api_url ?? DEFAULT_SLACK_API_URL;
  const what = `slack ${name} (${safeHost(apiUrl)} ${cfg.channel})`;
  const logger = slackLogger(deps.logger, deps.secrets);
  /** binds each request to the current send's signal and keeps the last Retry-After header */
  const fetchFor =
    (current: () => SendState): FetchFunction =>
    async (url, init) => {
      const st = current();
      const res = await deps.fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, st.signal]) : st.signal });
      if (res.status === 429) st.retryAfter = res.headers.get('retry-after');
      return res;
    };
  type WebClientClass = typeof import('@slack/web-api').WebClient;
  const newClient = (WebClient: WebClientClass, fetch: FetchFunction) =>
    new WebClient(cfg.token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, fetch, logger, logLevel: WARN });
  let shared: InstanceType<WebClientClass> | undefined;
  let active: SendState | undefined;
  return {
    name,
    type: 'slack',
    prepare: async () => {
      await import('@slack/web-api');
    },
    async send(events: AlertEvent[], signal: AbortSignal): Promise<void> {
      const { WebClient } = await import('@slack/web-api');
      const state: SendState = { signal, retryAfter: null };
      // One client per channel, kept: building a WebClient costs milliseconds on the thread that serves /metrics.
      // Its fetch reads the send in progress (the delivery loop sends one message per channel at a time); a send
      // that overlaps another gets a client of its own.
      const own = active !== undefined;
      const client = own
        ? newClient(WebClient, fetchFor(() => state))
        : (shared ??= newClient(WebClient, fetchFor(() => active ?? { signal: AbortSignal.timeout(30_000), retryAfter: null })));
      if (!own) active = state;
      try {
        await client.chat.postMessage(slackMessage(cfg.channel, events, deps.externalUrl));
      } catch (err) {
        throw slackError(what, err, state.retryAfter, deps.secrets, deps.now());
      } finally {
        if (!own) active = undefined;
      }
    },
  };
}
