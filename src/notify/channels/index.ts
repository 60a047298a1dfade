import type { Channel } from '../types.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../lib/clock.ts';
import type { CreateTransport } from './email.ts';
import { channelKind, type ChannelDescription } from './registry.ts';
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
  const out = channelKind(cfg).secrets(cfg);
  return [...new Set(out.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

export type { ChannelDescription } from './registry.ts';

export function describeChannel(cfg: ChannelConfig): ChannelDescription {
  return channelKind(cfg).describe(cfg);
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
  return channelKind(cfg).create(name, cfg, {
    fetch: deps.fetch ?? globalThis.fetch,
    now: deps.clock ? () => deps.clock!.now() : () => Date.now(),
    externalUrl: deps.externalUrl,
    logger: deps.logger,
    version: deps.version,
    createTransport: deps.createTransport,
    secrets: channelSecrets(cfg),
  });
}
