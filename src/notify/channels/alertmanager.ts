import type { AlertEvent, Channel } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import { generatorUrl, rfc3339 } from './format.ts';
import { httpStatusError, networkError, readBodySafe, safeHost, splitCredentials } from './http-errors.ts';
import { annotationsOf } from './webhook.ts';

export type AlertmanagerConfig = Extract<ChannelConfig, { type: 'alertmanager' }>;

export interface AlertmanagerDeps {
  fetch: typeof fetch;
  now: () => number;
  externalUrl?: string | undefined;
  version?: string | undefined;
  secrets: readonly string[];
}

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
  return events.map((e) => {
    const gen = generatorUrl(externalUrl, e);
    return {
      labels: { alertname: e.alert, severity: e.severity, ...e.labels },
      annotations: annotationsOf(e),
      startsAt: rfc3339(e.startsAt),
      // firing: expire unless re-posted within 4 resend intervals; resolved: the resolution time ends it now
      endsAt: rfc3339(e.kind === 'firing' ? now + ENDS_AT_RESEND_FACTOR * resendIntervalMs : (e.endsAt ?? now)),
      ...(gen ? { generatorURL: gen } : {}),
    };
  });
}

export function createAlertmanagerChannel(name: string, cfg: AlertmanagerConfig, deps: AlertmanagerDeps): Channel {
  const { url: base, authorization } = splitCredentials(cfg.url);
  const endpoint = `${base.replace(/\/+$/, '')}/api/v2/alerts`;
  const what = `alertmanager ${name} (${safeHost(cfg.url)})`;
  return {
    name,
    type: 'alertmanager',
    resendIntervalMs: cfg.resend_interval,
    async send(events: AlertEvent[], signal: AbortSignal): Promise<void> {
      const body = JSON.stringify(postableAlerts(events, deps.now(), cfg.resend_interval, deps.externalUrl));
      let res: Response;
      try {
        res = await deps.fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': `prodpulse/${deps.version ?? 'dev'}`, ...(authorization ? { authorization } : {}) },
          body,
          signal,
        });
      } catch (err) {
        throw networkError(what, err, deps.secrets);
      }
      const text = await readBodySafe(res);
      if (res.status < 200 || res.status >= 300) throw httpStatusError(what, res, text, deps.secrets, deps.now());
    },
  };
}
