/**
 * The live heartbeat tracker: per job, what was last heard and what that means now.
 *
 * Deadlines count from the stored time of the last report (success or failure; before the first one, from when
 * the job was first tracked), never from a timer started at boot: state is persisted and restored, so a sidecar
 * restarted in the middle of a silence still sees the silence and alerts at the same moment it would have.
 * missed = missedIntervals(base, now, interval, tolerance) (the function `analyze` shares).
 *
 * Pings only touch memory; `flush()` writes the jobs changed since the last flush in one SQLite transaction.
 * `start()` flushes every `flushIntervalMs` (default 1 s) on the injected clock, `stop()` flushes a last time.
 * A crash loses at most the pings of the last flush interval.
 */
import type { HeartbeatJob, HeartbeatPolicy } from '../config/heartbeats.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { HeartbeatRepo } from './repo.ts';
import { missedIntervals } from './missed.ts';
import {
  MAX_MESSAGE_CHARS,
  MAX_OPEN_RUNS,
  MAX_RUN_DURATIONS,
  newJobState,
  type HeartbeatJobState,
  type PingKind,
  type PushedMetrics,
} from './state.ts';

/** Everything the tracker runs on; rebuilt from config at start and at every reload. */
export interface HeartbeatSettings {
  jobs: HeartbeatJob[];
  policy: HeartbeatPolicy;
  /** the settings an auto-registered service gets */
  autoJob: (service: string) => HeartbeatJob;
}

export interface Ping {
  kind: PingKind;
  /** 0 for a success by exit code, 1-255 for a failure by exit code; undefined for /start, /fail and plain pings */
  exitCode?: number;
  /** pairs a start with its end; undefined when not given */
  rid?: string;
  /** the request body, already redacted; null/undefined: none (a start without one keeps the previous message) */
  message?: string | null;
  /** pushed service metrics carried by the ping */
  pushed?: Omit<PushedMetrics, 'at'>;
}

export type JobStatus = 'healthy' | 'degraded' | 'down';

/** What a job's state means at a given time. */
export interface JobAssessment {
  /** consecutive deadlines missed since the last report */
  missed: number;
  /** 0 < missed < allowed_misses */
  late: boolean;
  /** missed ≥ allowed_misses */
  down: boolean;
  /** consecutive failures ≥ fail_threshold */
  failing: boolean;
  /** started runs past run_timeout */
  overdueRuns: number;
  /** pushed readings no longer feed rules */
  pushedStale: boolean;
  /** the next deadline not yet missed (epoch ms) */
  nextDeadlineAt: number;
  status: JobStatus;
}

/** Deadlines count from the last report, or from when the job was first tracked. */
export function deadlineBase(s: HeartbeatJobState): number {
  return s.lastReportAt ?? s.createdAt;
}

export function assessJob(job: HeartbeatJob, s: HeartbeatJobState, now: number, policy: HeartbeatPolicy): JobAssessment {
  const base = deadlineBase(s);
  const missed = missedIntervals(base, now, job.intervalMs, job.toleranceMs);
  const down = missed >= job.allowedMisses;
  const late = missed > 0 && !down;
  const failing = s.consecutiveFailures >= job.failThreshold;
  let overdueRuns = 0;
  if (job.runTimeoutMs !== undefined) for (const r of s.openRuns) if (now - r.startedAt > job.runTimeoutMs) overdueRuns++;
  const status: JobStatus = down || failing || overdueRuns > 0 ? 'down' : late || s.consecutiveFailures > 0 ? 'degraded' : 'healthy';
  return {
    missed,
    late,
    down,
    failing,
    overdueRuns,
    pushedStale: missed >= policy.pushedStaleAfterMisses,
    nextDeadlineAt: base + (missed + 1) * job.intervalMs + job.toleranceMs,
    status,
  };
}

export type RegisterResult = { ok: true; job: HeartbeatJob } | { ok: false; reason: 'disabled' | 'cap' };

export interface TrackerDeps {
  clock: Clock;
  logger: Logger;
  /** persistence; without it state lives in memory only */
  repo?: HeartbeatRepo;
  /** default 1000 */
  flushIntervalMs?: number;
}

/** Up to this many characters of the last message appear in summaries (/metrics/live, the dashboard). */
export const MESSAGE_PREVIEW_CHARS = 200;

export class HeartbeatTracker {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #repo: HeartbeatRepo | undefined;
  readonly #flushIntervalMs: number;
  #settings: HeartbeatSettings;
  /** configured and auto-registered jobs, by service */
  #jobs = new Map<string, HeartbeatJob>();
  #states = new Map<string, HeartbeatJobState>();
  /** services changed since the last flush, and services whose rows are to be deleted */
  #dirty = new Set<string>();
  #removed = new Set<string>();
  #autoCount = 0;
  #timer: unknown;
  #running = false;

  constructor(settings: HeartbeatSettings, deps: TrackerDeps) {
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#repo = deps.repo;
    this.#flushIntervalMs = deps.flushIntervalMs ?? 1000;
    this.#settings = settings;
    const stored = this.#repo?.loadAll() ?? [];
    const byService = new Map(stored.map((s) => [s.service, s]));
    this.#applyJobs(settings, byService);
    // stored rows that match no job now (removed from config, or auto-registration off) are deleted
    for (const s of stored) if (!this.#jobs.has(s.service)) this.#removed.add(s.service);
    if (stored.length > 0) this.#logger.info({ restored: stored.length - this.#removed.size, dropped: this.#removed.size }, 'heartbeat state restored');
  }

  get settings(): HeartbeatSettings {
    return this.#settings;
  }

  /** The job for a service name, configured or auto-registered. */
  job(service: string): HeartbeatJob | undefined {
    return this.#jobs.get(service);
  }

  state(service: string): Readonly<HeartbeatJobState> | undefined {
    return this.#states.get(service);
  }

  /** Every tracked job with its state, configured ones first (config order), then auto-registered ones. */
  *entries(): IterableIterator<{ job: HeartbeatJob; state: Readonly<HeartbeatJobState> }> {
    for (const [service, job] of this.#jobs) yield { job, state: this.#states.get(service)! };
  }

  get size(): number {
    return this.#jobs.size;
  }

  get autoRegisteredCount(): number {
    return this.#autoCount;
  }

  assess(service: string, now = this.#clock.now()): JobAssessment | undefined {
    const job = this.#jobs.get(service);
    const state = this.#states.get(service);
    return job && state ? assessJob(job, state, now, this.#settings.policy) : undefined;
  }

  /** Tracks an unknown service with the default settings, if auto_register allows one more. */
  autoRegister(service: string): RegisterResult {
    const existing = this.#jobs.get(service);
    if (existing) return { ok: true, job: existing };
    const { enabled, max } = this.#settings.policy.autoRegister;
    if (!enabled) return { ok: false, reason: 'disabled' };
    if (this.#autoCount >= max) return { ok: false, reason: 'cap' };
    const job = this.#settings.autoJob(service);
    this.#jobs.set(service, job);
    this.#states.set(service, newJobState(service, this.#clock.now(), true));
    this.#autoCount++;
    this.#removed.delete(service);
    this.#dirty.add(service);
    this.#logger.info({ service, autoRegistered: this.#autoCount, max }, 'heartbeat service auto-registered');
    return { ok: true, job };
  }

  /** Records one ping of a tracked job at the clock's now. Unknown services are ignored (false). */
  ping(service: string, p: Ping): boolean {
    const s = this.#states.get(service);
    if (!s) return false;
    const now = this.#clock.now();
    s.lastPingAt = now;
    s.pings[p.kind]++;
    if (p.kind === 'start') {
      const rid = p.rid ?? '';
      const i = s.openRuns.findIndex((r) => r.rid === rid);
      if (i >= 0) s.openRuns.splice(i, 1);
      s.openRuns.push({ rid, startedAt: now });
      if (s.openRuns.length > MAX_OPEN_RUNS) s.openRuns.shift();
      if (p.message) s.lastMessage = truncate(p.message);
    } else {
      s.lastReportAt = now;
      // with a rid: that run ends; without: every open run ends (the latest start is the one measured)
      let startedAt: number | undefined;
      if (p.rid !== undefined) {
        const i = s.openRuns.findIndex((r) => r.rid === p.rid);
        if (i >= 0) startedAt = s.openRuns.splice(i, 1)[0]!.startedAt;
      } else if (s.openRuns.length > 0) {
        startedAt = s.openRuns[s.openRuns.length - 1]!.startedAt;
        s.openRuns = [];
      }
      if (p.kind === 'success') {
        s.lastSuccessAt = now;
        s.consecutiveFailures = 0;
        s.lastExitCode = p.exitCode ?? null;
        if (startedAt !== undefined) {
          s.runDurationsMs.push(now - startedAt);
          if (s.runDurationsMs.length > MAX_RUN_DURATIONS) s.runDurationsMs.shift();
        }
      } else {
        s.lastFailureAt = now;
        s.consecutiveFailures++;
        s.lastExitCode = p.exitCode ?? null;
      }
      // a success or failure replaces the message: one without a body leaves none
      s.lastMessage = p.message ? truncate(p.message) : null;
    }
    if (p.pushed) s.pushed = { at: now, ...p.pushed };
    this.#dirty.add(service);
    return true;
  }

  /**
   * Hot reload: jobs keep their state by service name (a changed interval applies to the stored last ping at
   * once); removed jobs drop theirs. Auto-registered jobs take the new defaults, or are dropped when
   * auto-registration is turned off.
   */
  applyConfig(settings: HeartbeatSettings): void {
    this.#settings = settings;
    this.#applyJobs(settings, new Map());
  }

  #applyJobs(settings: HeartbeatSettings, stored: Map<string, HeartbeatJobState>): void {
    const now = this.#clock.now();
    const next = new Map<string, HeartbeatJob>();
    for (const job of settings.jobs) next.set(job.service, job);
    const autoOn = settings.policy.autoRegister.enabled;
    // auto-registered jobs, from memory (reload) or from the database (start), in registration order
    const autoCandidates: HeartbeatJobState[] = [];
    for (const [service, s] of this.#states) if (s.autoRegistered && !next.has(service)) autoCandidates.push(s);
    for (const [service, s] of stored) if (s.autoRegistered && !next.has(service) && !this.#states.has(service)) autoCandidates.push(s);
    autoCandidates.sort((a, b) => a.createdAt - b.createdAt || (a.service < b.service ? -1 : 1));
    let auto = 0;
    if (autoOn)
      for (const s of autoCandidates) {
        // lowering the cap keeps the ones already registered: their series are already out there
        next.set(s.service, settings.autoJob(s.service));
        auto++;
      }
    const states = new Map<string, HeartbeatJobState>();
    for (const [service, job] of next) {
      let s = this.#states.get(service) ?? stored.get(service);
      if (!s) {
        s = newJobState(service, now, job.autoRegistered);
        this.#dirty.add(service);
      } else if (s.autoRegistered !== job.autoRegistered) {
        s.autoRegistered = job.autoRegistered;
        this.#dirty.add(service);
      }
      states.set(service, s);
      this.#removed.delete(service);
    }
    for (const service of this.#states.keys())
      if (!next.has(service)) {
        this.#removed.add(service);
        this.#dirty.delete(service);
      }
    this.#jobs = next;
    this.#states = states;
    this.#autoCount = auto;
  }

  /** Forgets auto-registered services silent for longer than auto_register.forget_after. */
  forgetSilent(now = this.#clock.now()): string[] {
    const after = this.#settings.policy.autoRegister.forgetAfterMs;
    if (!(after > 0)) return [];
    const gone: string[] = [];
    for (const [service, job] of this.#jobs) {
      if (!job.autoRegistered) continue;
      const s = this.#states.get(service)!;
      if (now - (s.lastPingAt ?? s.createdAt) > after) gone.push(service);
    }
    for (const service of gone) {
      this.#jobs.delete(service);
      this.#states.delete(service);
      this.#dirty.delete(service);
      this.#removed.add(service);
      this.#autoCount--;
    }
    if (gone.length > 0) this.#logger.info({ services: gone }, 'silent auto-registered heartbeat services forgotten');
    return gone;
  }

  /** Writes the jobs changed since the last flush (one transaction). Returns how many rows were written or deleted. */
  flush(): number {
    this.forgetSilent();
    if (!this.#repo || (this.#dirty.size === 0 && this.#removed.size === 0)) {
      if (!this.#repo) {
        this.#dirty.clear();
        this.#removed.clear();
      }
      return 0;
    }
    const states: HeartbeatJobState[] = [];
    for (const service of this.#dirty) {
      const s = this.#states.get(service);
      if (s) states.push(s);
    }
    const removed = [...this.#removed];
    try {
      this.#repo.saveMany(states, removed, this.#clock.now());
    } catch (err) {
      // kept dirty: the next flush tries again
      this.#logger.error({ err: { message: (err as Error).message } }, 'heartbeat state flush failed');
      return 0;
    }
    this.#dirty.clear();
    this.#removed.clear();
    return states.length + removed.length;
  }

  /** Flushes every flushIntervalMs until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const tick = () => {
      if (!this.#running) return;
      this.flush();
      this.#timer = this.#clock.setTimeout(tick, this.#flushIntervalMs);
    };
    this.#timer = this.#clock.setTimeout(tick, this.#flushIntervalMs);
  }

  /** Stops the flush timer and writes what is pending. Call before closing the database. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) : text;
}

/** The first MESSAGE_PREVIEW_CHARS characters of a (redacted) message, marked when cut. */
export function messagePreview(message: string | null): string | null {
  if (message === null) return null;
  return message.length > MESSAGE_PREVIEW_CHARS ? `${message.slice(0, MESSAGE_PREVIEW_CHARS)}…` : message;
}
