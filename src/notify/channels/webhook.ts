import type { AlertEvent, Channel } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { commonEntries, generatorUrl, groupStatus, rfc3339 } from './format.ts';
import { postJson, safeHost, type HttpChannelDeps } from './http-errors.ts';
import { mapPaced } from '../../lib/slice.ts';

export type WebhookConfig = Extract<ChannelConfig, { type: 'webhook' }>;

export type WebhookDeps = HttpChannelDeps;

/** One alert as Alertmanager's webhook receiver sends it. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload, version 4. */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/**
 * Annotations as Alertmanager carries them: the event's, with summary filled in, plus the raw `value` and
 * `threshold` (machine payloads keep the number; people's channels format it) unless the rule set those itself.
 */
export function annotationsOf(e: AlertEvent): Record<string, string> {
  return { value: String(e.value), threshold: String(e.threshold), ...e.annotations, ...(e.summary ? { summary: e.summary } : {}) };
}

export function webhookPayload(receiver: string, events: readonly AlertEvent[], externalUrl: string | undefined): WebhookPayload {
  return webhookPayloadOf(receiver, events, events.map((e) => webhookAlert(e, externalUrl)), externalUrl);
}

/** One event as an entry of the payload's `alerts`. */
export function webhookAlert(e: AlertEvent, externalUrl: string | undefined): WebhookAlert {
  return {
    status: e.kind,
    labels: e.labels,
    annotations: annotationsOf(e),
    startsAt: rfc3339(e.startsAt),
    endsAt: e.kind === 'resolved' ? rfc3339(e.endsAt ?? e.startsAt) : rfc3339(undefined),
    generatorURL: generatorUrl(externalUrl, e),
    fingerprint: e.fingerprint,
  };
}

/** The payload around entries already built (see webhookAlert). */
export function webhookPayloadOf(receiver: string, events: readonly AlertEvent[], alerts: WebhookAlert[], externalUrl: string | undefined): WebhookPayload {
  const commonLabels = commonEntries(events.map((e) => e.labels));
  const groupLabels: Record<string, string> = commonLabels.alertname !== undefined ? { alertname: commonLabels.alertname } : {};
  const groupKey = `{}:{${Object.entries(groupLabels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: groupStatus(events),
    receiver,
    groupLabels,
    commonLabels,
    commonAnnotations: commonEntries(alerts.map((a) => a.annotations)),
    externalURL: externalUrl ?? '',
    alerts,
  };
}

export function createWebhookChannel(name: string, cfg: WebhookConfig, deps: WebhookDeps): Channel {
  new URL(cfg.url); // an unusable URL fails here, at creation, rather than at every send
  const what = `webhook ${name} (${safeHost(cfg.url)})`;
  return {
    name,
    type: 'webhook',
    // entries built in slices: a thousand-alert group must not hold the thread that serves /metrics
    send: async (events: AlertEvent[], signal: AbortSignal) => {
      const alerts = await mapPaced(events, (e) => webhookAlert(e, deps.externalUrl));
      await postJson(what, cfg.url, webhookPayloadOf(name, events, alerts, deps.externalUrl), { headers: cfg.headers, signal }, deps);
    },
  };
}
