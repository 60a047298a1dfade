/**
 * What a config reload can apply while running. Rules, channels, defaults, maintenance, services, heartbeats and
 * server.token (and external_url) apply at once; sampling, storage and the rest of server are read once at start,
 * so a change there takes effect only after a restart.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import type { Config } from './schema.ts';

/** The part of a config that is fixed at start, as canonical text (regular expressions by source and flags). */
export function fixedAtStart(c: Config): string {
  return canonicalJson({ sampling: c.sampling, storage: c.storage, server: { ...c.server, token: undefined, external_url: undefined } });
}

/** True when going from `running` to `next` changes something that only a restart applies. */
export function restartNeeded(running: Config, next: Config): boolean {
  return fixedAtStart(running) !== fixedAtStart(next);
}

export const RESTART_NOTICE = 'config reloaded; sampling, storage and server changes (other than the token) take effect after a restart';
