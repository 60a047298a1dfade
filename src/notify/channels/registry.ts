/**
 * The channel registry: one descriptor per channel type, holding everything that differs between types: its
 * config schema, the secrets in its config, what may be shown about it, how it is built, how a send is previewed,
 * and its delivery policy (resolved notices, re-sends). Adding a channel type is one descriptor here (plus its
 * file and its schema in config/schema.ts); nothing else switches on the type.
 */
import type { ZodType } from 'zod';
import { channelSchema, type ChannelConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AlertEvent, Channel } from '../types.ts';
import { createAlertmanagerChannel, postableAlerts } from './alertmanager.ts';
import { createEmailChannel, emailParts, type CreateTransport } from './email.ts';
import { safeHost, urlSecrets } from './http-errors.ts';
import { createSlackChannel, DEFAULT_SLACK_API_URL, slackMessage } from './slack.ts';
import { createWebhookChannel, webhookPayload } from './webhook.ts';

export type ChannelType = ChannelConfig['type'];
type ConfigOf<T extends ChannelType> = Extract<ChannelConfig, { type: T }>;

/** What an API or dashboard may show about a channel: type, Slack channel, host. No secrets. */
export interface ChannelDescription {
  type: ChannelType;
  host: string;
  channel?: string;
}

/** The outside edges a channel is built with (resolved from ChannelDeps by channels/index.ts). */
export interface ChannelBuildDeps {
  fetch: typeof fetch;
  now: () => number;
  externalUrl: string | undefined;
  logger: Logger | undefined;
  version: string | undefined;
  createTransport: CreateTransport | undefined;
  /** the config's secrets (channelSecrets), scrubbed from every error the channel reports */
  secrets: string[];
}

export interface ChannelKind<T extends ChannelType = ChannelType> {
  readonly type: T;
  /** one line for docs and `check` output */
  readonly description: string;
  /** the config schema of this type (an option of config/schema.ts channelSchema) */
  readonly schema: ZodType;
  /** every string in the config that must never be shown (before the length filter and sort of channelSecrets) */
  secrets(cfg: ConfigOf<T>): string[];
  describe(cfg: ConfigOf<T>): ChannelDescription;
  create(name: string, cfg: ConfigOf<T>, deps: ChannelBuildDeps): Channel;
  /** what a send would look like, as text (test-notify --dry-run); no secret shown */
  preview(name: string, cfg: ConfigOf<T>, events: readonly AlertEvent[], opts: { externalUrl: string; now: number }): Promise<string> | string;
  /** resolved notices go to this type even when defaults.send_resolved is false (its far end needs them) */
  readonly alwaysSendsResolved: boolean;
  /** re-send firing alerts this often (its far end expires them); undefined: only repeat_interval reminders */
  resendIntervalMs(cfg: ConfigOf<T>): number | undefined;
}

const schemaOf = (type: ChannelType): ZodType => {
  const s = channelSchema.options.find((o) => o.shape.type.value === type);
  if (!s) throw new Error(`no config schema for channel type ${type}`);
  return s;
};
const json = (v: unknown) => JSON.stringify(v, null, 2);

export const CHANNEL_KINDS: { readonly [T in ChannelType]: ChannelKind<T> } = {
  slack: {
    type: 'slack',
    description: 'Slack chat.postMessage with a bot token',
    schema: schemaOf('slack'),
    secrets: (cfg) => [cfg.token, ...(cfg.api_url ? urlSecrets(cfg.api_url, false) : [])],
    describe: (cfg) => ({ type: 'slack', channel: cfg.channel, host: safeHost(cfg.api_url ?? DEFAULT_SLACK_API_URL) }),
    create: (name, cfg, d) => createSlackChannel(name, cfg, { fetch: d.fetch, now: d.now, externalUrl: d.externalUrl, logger: d.logger, secrets: d.secrets }),
    preview: (_name, cfg, events, opts) => `POST ${safeHost(cfg.api_url ?? DEFAULT_SLACK_API_URL)} chat.postMessage\n${json(slackMessage(cfg.channel, events, opts.externalUrl))}`,
    alwaysSendsResolved: false,
    resendIntervalMs: () => undefined,
  },
  email: {
    type: 'email',
    description: 'e-mail over SMTP (smtp:// or smtps://)',
    schema: schemaOf('email'),
    secrets: (cfg) => urlSecrets(cfg.url, false),
    describe: (cfg) => ({ type: 'email', host: safeHost(cfg.url) }),
    create: (name, cfg, d) => createEmailChannel(name, cfg, { createTransport: d.createTransport, logger: d.logger, externalUrl: d.externalUrl, version: d.version, secrets: d.secrets }),
    preview: async (_name, cfg, events, opts) => {
      const { subject, text } = await emailParts(events, opts.externalUrl);
      return `SMTP ${cfg.url ? safeHost(cfg.url) : '(no url)'}\nFrom: ${cfg.from}\nTo: ${cfg.to.join(', ')}\nSubject: ${subject}\n\n${text}`;
    },
    alwaysSendsResolved: false,
    resendIntervalMs: () => undefined,
  },
  webhook: {
    type: 'webhook',
    description: 'JSON POST in the Alertmanager webhook format',
    schema: schemaOf('webhook'),
    secrets: (cfg) => [...urlSecrets(cfg.url, true), ...Object.values(cfg.headers)],
    describe: (cfg) => ({ type: 'webhook', host: safeHost(cfg.url) }),
    create: (name, cfg, d) => createWebhookChannel(name, cfg, { fetch: d.fetch, now: d.now, externalUrl: d.externalUrl, version: d.version, secrets: d.secrets }),
    preview: (name, cfg, events, opts) => `POST ${cfg.url ? safeHost(cfg.url) : '(no url)'}\n${json(webhookPayload(name, events, opts.externalUrl))}`,
    alwaysSendsResolved: false,
    resendIntervalMs: () => undefined,
  },
  alertmanager: {
    type: 'alertmanager',
    description: "an Alertmanager's /api/v2/alerts (it groups, routes and silences further)",
    schema: schemaOf('alertmanager'),
    secrets: (cfg) => urlSecrets(cfg.url, false),
    describe: (cfg) => ({ type: 'alertmanager', host: safeHost(cfg.url) }),
    create: (name, cfg, d) => createAlertmanagerChannel(name, cfg, { fetch: d.fetch, now: d.now, externalUrl: d.externalUrl, version: d.version, secrets: d.secrets }),
    preview: (_name, cfg, events, opts) =>
      `POST ${cfg.url ? safeHost(cfg.url) : '(no url)'}/api/v2/alerts\n${json(postableAlerts(events, opts.now, cfg.resend_interval, opts.externalUrl))}`,
    // Alertmanager resolves promptly only when told, and times out a firing alert it has not heard of lately
    alwaysSendsResolved: true,
    resendIntervalMs: (cfg) => cfg.resend_interval,
  },
};

/** The descriptor of a config's channel type, typed for that config. */
export function channelKind<C extends ChannelConfig>(cfg: C): ChannelKind<C['type']> & ChannelKind<ChannelType> {
  return CHANNEL_KINDS[cfg.type] as unknown as ChannelKind<C['type']> & ChannelKind<ChannelType>;
}

/** The descriptor of a channel type (for policy lookups where only the type is known). */
export function kindOfType(type: ChannelType): ChannelKind {
  return CHANNEL_KINDS[type] as unknown as ChannelKind;
}

/** `{ resendIntervalMs }` for a channel proxy when its type re-sends firing alerts, else nothing. */
export function resendPolicy(cfg: ChannelConfig): { resendIntervalMs?: number } {
  const ms = channelKind(cfg).resendIntervalMs(cfg);
  return ms === undefined ? {} : { resendIntervalMs: ms };
}
