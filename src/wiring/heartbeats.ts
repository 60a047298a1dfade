/**
 * Heartbeats wired as one part, for the sidecar: the tracker (state persisted in SQLite, flushed once a second),
 * its fed source, the ping routes and hot reload.
 *
 *   const heartbeats = createHeartbeats(config, { db, clock, logger, token: () => config.server.token });
 *   sources: […, heartbeats.source]            extraRoutes: […, (a) => heartbeats.routes(a)]
 *   start: heartbeats.start()                  reload: heartbeats.applyConfig(newConfig)
 *   stop:  heartbeats.stop() before db.close() (writes the pings of the last second)
 */
import type { Hono } from 'hono';
import type { HeartbeatDefaults, HeartbeatJobConfig } from '../config/heartbeats.ts';
import { heartbeatRoutes } from '../http/routes/heartbeat.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { FedSource } from '../sources/source.ts';
import type { Db } from '../store/db.ts';
import { createHeartbeatRepo } from '../heartbeats/repo.ts';
import { heartbeatSettings } from '../heartbeats/settings.ts';
import { createHeartbeatSource } from '../heartbeats/source.ts';
import { HeartbeatTracker } from '../heartbeats/tracker.ts';

/** The parts of the config heartbeats read (a full Config fits). */
export interface HeartbeatConfigPart {
  heartbeats: readonly HeartbeatJobConfig[];
  defaults: { heartbeats: HeartbeatDefaults };
}

export interface HeartbeatDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** server.token of the running config (read at every ping) */
  token: () => string | undefined;
  /** default 1000 */
  flushIntervalMs?: number;
}

export interface Heartbeats {
  readonly tracker: HeartbeatTracker;
  readonly source: FedSource;
  /** mounts /heartbeat/:service[/start|/fail|/:exitcode] */
  routes(app: Hono): void;
  /** hot reload: jobs keep their state by service name */
  applyConfig(config: HeartbeatConfigPart): void;
  /** starts the once-a-second flush */
  start(): void;
  /** stops the flush timer and writes what is pending; call before closing the database */
  stop(): void;
}

export function createHeartbeats(config: HeartbeatConfigPart, deps: HeartbeatDeps): Heartbeats {
  const tracker = new HeartbeatTracker(heartbeatSettings(config), {
    clock: deps.clock,
    logger: deps.logger,
    repo: createHeartbeatRepo(deps.db),
    ...(deps.flushIntervalMs !== undefined ? { flushIntervalMs: deps.flushIntervalMs } : {}),
  });
  return {
    tracker,
    source: createHeartbeatSource(tracker),
    routes: (app) => heartbeatRoutes(app, { tracker, token: deps.token, logger: deps.logger, now: () => deps.clock.now() }),
    applyConfig: (c) => tracker.applyConfig(heartbeatSettings(c)),
    start: () => tracker.start(),
    stop: () => tracker.stop(),
  };
}
