import type { AlertEvent, Channel } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { generatorUrl, rfc3339 } from './format.ts';
import { postJson, safeHost, type HttpChannelDeps } from './http-errors.ts';
import { annotationsOf } from './webhook.ts';
import { mapPaced } from '../../lib/slice.ts';

export type AlertmanagerConfig = Extract<ChannelConfig, { type: 'alertmanager' }>;

export type AlertmanagerDeps = HttpChannelDeps;

/** A firing alert stays active in Alertmanager this many resend intervals without being re-posted. */
export const ENDS_AT_RESEND_FACTOR = 4;

/** POST /api/v2/alerts body item (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export function postableAlerts(events: readonly AlertEvent[], now: number, resendIntervalMs: number, externalUrl: string | undefined): PostableAlert[] {
  return events.map((e) => postableAlert(e, now, resendIntervalMs, externalUrl));
}

export function postableAlert(e: AlertEvent, now: number, resendIntervalMs: number, externalUrl: string | undefined): PostableAlert {
  const gen = generatorUrl(externalUrl, e);
  return {
    labels: { alertname: e.alert, severity: e.severity, ...e.labels },
    annotations: annotationsOf(e),
    startsAt: rfc3339(e.startsAt),
    // firing: expire unless re-posted within 4 resend intervals; resolved: the resolution time ends it now
    endsAt: rfc3339(e.kind === 'firing' ? now + ENDS_AT_RESEND_FACTOR * resendIntervalMs : (e.endsAt ?? now)),
    ...(gen ? { generatorURL: gen } : {}),
  };
}

export function createAlertmanagerChannel(name: string, cfg: AlertmanagerConfig, deps: AlertmanagerDeps): Channel {
  // credentials stay in the URL given to postJson, which turns them into a Basic header
  const endpoint = new URL(cfg.url);
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  const what = `alertmanager ${name} (${safeHost(cfg.url)})`;
  return {
    name,
    type: 'alertmanager',
    resendIntervalMs: cfg.resend_interval,
    // built in slices: a thousand-alert group must not hold the thread that serves /metrics
    send: async (events: AlertEvent[], signal: AbortSignal) => {
      const now = deps.now();
      const alerts = await mapPaced(events, (e) => postableAlert(e, now, cfg.resend_interval, deps.externalUrl));
      await postJson(what, endpoint.toString(), alerts, { signal }, deps);
    },
  };
}
