import type { Channel } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../lib/clock.ts';
import { createSlackChannel, DEFAULT_SLACK_API_URL } from './slack.ts';
import { createEmailChannel, type CreateTransport } from './email.ts';
import { createWebhookChannel } from './webhook.ts';
import { createAlertmanagerChannel } from './alertmanager.ts';
import { safeHost, urlSecrets } from './http-errors.ts';
import { redactText } from '../../lib/redact.ts';

export interface ChannelDeps {
  /** HTTP client for slack, webhook and alertmanager; default globalThis.fetch */
  fetch?: typeof fetch;
  /** this sidecar's external URL, for links (generatorURL, externalURL) */
  externalUrl?: string;
  logger?: Logger;
  /** prodpulse version, sent as User-Agent / header */
  version?: string;
  /** time source (Retry-After dates, Alertmanager endsAt); default Date.now */
  clock?: Pick<Clock, 'now'>;
  /** SMTP transport factory; default nodemailer.createTransport */
  createTransport?: CreateTransport;
}

/** Every string in a channel's config that must never be shown: tokens, passwords, webhook paths/queries, header values. */
export function channelSecrets(cfg: ChannelConfig): string[] {
  let out: string[];
  switch (cfg.type) {
    case 'slack':
      out = [cfg.token, ...(cfg.api_url ? urlSecrets(cfg.api_url, false) : [])];
      break;
    case 'email':
      out = urlSecrets(cfg.url, false);
      break;
    case 'webhook':
      out = [...urlSecrets(cfg.url, true), ...Object.values(cfg.headers)];
      break;
    case 'alertmanager':
      out = urlSecrets(cfg.url, false);
      break;
  }
  return [...new Set(out.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** What an API or dashboard may show about a channel: type, Slack channel, host. No secrets. */
export interface ChannelDescription {
  type: ChannelConfig['type'];
  host: string;
  channel?: string;
}

export function describeChannel(cfg: ChannelConfig): ChannelDescription {
  switch (cfg.type) {
    case 'slack':
      return { type: 'slack', channel: cfg.channel, host: safeHost(cfg.api_url ?? DEFAULT_SLACK_API_URL) };
    case 'email':
      return { type: 'email', host: safeHost(cfg.url) };
    case 'webhook':
    case 'alertmanager':
      return { type: cfg.type, host: safeHost(cfg.url) };
  }
}

/** Builds the channel for a config entry; a config that cannot be used throws an Error whose text has no secret. */
export function createChannel(name: string, cfg: ChannelConfig, deps: ChannelDeps = {}): Channel {
  try {
    return build(name, cfg, deps);
  } catch (err) {
    throw new Error(redactText(`channel ${name} (${cfg.type}): ${(err as Error)?.message ?? String(err)}`, channelSecrets(cfg)));
  }
}

function build(name: string, cfg: ChannelConfig, deps: ChannelDeps): Channel {
  const secrets = channelSecrets(cfg);
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const now = deps.clock ? () => deps.clock!.now() : () => Date.now();
  switch (cfg.type) {
    case 'slack':
      return createSlackChannel(name, cfg, { fetch: fetchFn, now, externalUrl: deps.externalUrl, logger: deps.logger, secrets });
    case 'email':
      return createEmailChannel(name, cfg, { createTransport: deps.createTransport, logger: deps.logger, externalUrl: deps.externalUrl, version: deps.version, secrets });
    case 'webhook':
      return createWebhookChannel(name, cfg, { fetch: fetchFn, now, externalUrl: deps.externalUrl, version: deps.version, secrets });
    case 'alertmanager':
      return createAlertmanagerChannel(name, cfg, { fetch: fetchFn, now, externalUrl: deps.externalUrl, version: deps.version, secrets });
  }
}
