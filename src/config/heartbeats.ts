/**
 * `heartbeats:` (one entry per job or service that reports in) and `defaults.heartbeats` of alerts.yaml.
 *
 * A job's unset fields take `defaults.heartbeats`; `resolveHeartbeatJobs` merges the two into the settings the
 * tracker runs on. Auto-registered services (unknown names pinging while `auto_register.enabled`) take the
 * defaults alone.
 */
import { z } from 'zod';
import { durationMs } from '../lib/duration.ts';

/** Service names: lower-case letters, digits, `_` and `-`, 1 to 100 characters (as the analyzer our users run). */
export const HEARTBEAT_SERVICE_RE = /^[a-z0-9_-]{1,100}$/;

const MIN_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 366 * 86_400_000;

const emptyToUndefined = z
  .string()
  .optional()
  .transform((t) => (t === '' ? undefined : t));
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names use letters, digits and _ and do not start with a digit');

const interval = durationMs.refine((ms) => ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS, { message: 'interval must be between 1s and 366d' });
const allowedMisses = z.number().int().min(1).max(100);
const failThreshold = z.number().int().min(1).max(100);
const runTimeout = durationMs.refine((ms) => ms > 0, { message: 'run_timeout must be positive' });

export const heartbeatJobSchema = z.strictObject({
  /** the name in /heartbeat/:service and the `service` label */
  service: z.string().regex(HEARTBEAT_SERVICE_RE, 'service names use lower-case letters, digits, _ and - (1 to 100 characters)'),
  /** the expected period between pings */
  interval: interval.optional(),
  /** consecutive missed intervals before HeartbeatMissed */
  allowed_misses: allowedMisses.optional(),
  /** grace added to every deadline */
  tolerance: durationMs.optional(),
  /** consecutive explicit failures before JobFailed */
  fail_threshold: failThreshold.optional(),
  /** how long a started run may take before HeartbeatRunTimeout */
  run_timeout: runTimeout.optional(),
  environment: z.string().min(1).max(100).optional(),
  /** shown with the job (dashboard, /metrics/live); not added to readings, whose label sets are fixed */
  labels: z.record(labelName, z.string()).optional(),
  /** a ping must carry this token (or server.token); empty = none */
  token: emptyToUndefined,
});
export type HeartbeatJobConfig = z.infer<typeof heartbeatJobSchema>;

/** `heartbeats:`: the job list, with duplicate service names reported on the second one. */
export const heartbeatsSchema = z
  .array(heartbeatJobSchema)
  .default([])
  .superRefine((jobs, ctx) => {
    const seen = new Set<string>();
    jobs.forEach((j, i) => {
      if (seen.has(j.service)) ctx.addIssue({ code: 'custom', path: [i, 'service'], message: `duplicate heartbeat service "${j.service}"` });
      seen.add(j.service);
    });
  });

export const heartbeatDefaultsSchema = z
  .strictObject({
    interval: interval.default(60_000),
    allowed_misses: allowedMisses.default(3),
    tolerance: durationMs.default(0),
    fail_threshold: failThreshold.default(1),
    /** unset: runs never time out */
    run_timeout: runTimeout.optional(),
    environment: z.string().min(1).max(100).default('production'),
    labels: z.record(labelName, z.string()).default({}),
    /** unknown services that ping are tracked with these defaults, up to `max` of them (label cardinality stays bounded) */
    auto_register: z
      .strictObject({
        enabled: z.boolean().default(false),
        max: z.number().int().min(1).max(10_000).default(100),
        /** an auto-registered service silent this long is forgotten (frees its slot); 0 = never */
        forget_after: durationMs.default(7 * 86_400_000),
      })
      .prefault({}),
    /** when pushed metrics (cpu, memory, latency, error rate) stop feeding rules */
    stale: z
      .strictObject({
        /** pushed readings are dropped once this many intervals are missed (1: at the first missed deadline) */
        pushed_after_misses: z.number().int().min(1).max(100).default(1),
      })
      .prefault({}),
  })
  .prefault({});
export type HeartbeatDefaults = z.infer<typeof heartbeatDefaultsSchema>;

/** One job as the tracker runs it: every field resolved, durations in ms. */
export interface HeartbeatJob {
  service: string;
  intervalMs: number;
  allowedMisses: number;
  toleranceMs: number;
  failThreshold: number;
  /** undefined: runs never time out */
  runTimeoutMs: number | undefined;
  environment: string;
  labels: Record<string, string>;
  /** undefined: only server.token (if any) is required */
  token: string | undefined;
  /** true for a service that registered itself by pinging (auto_register) */
  autoRegistered: boolean;
}

/** What the tracker needs from config besides the job list. */
export interface HeartbeatPolicy {
  autoRegister: { enabled: boolean; max: number; forgetAfterMs: number };
  /** pushed readings are dropped once this many intervals are missed */
  pushedStaleAfterMisses: number;
}

/** The settings of a job with no entry of its own (auto-registered). */
export function defaultHeartbeatJob(service: string, d: HeartbeatDefaults): HeartbeatJob {
  return {
    service,
    intervalMs: d.interval,
    allowedMisses: d.allowed_misses,
    toleranceMs: d.tolerance,
    failThreshold: d.fail_threshold,
    runTimeoutMs: d.run_timeout,
    environment: d.environment,
    labels: { ...d.labels },
    token: undefined,
    autoRegistered: true,
  };
}

/** Configured jobs with defaults applied. */
export function resolveHeartbeatJobs(jobs: readonly HeartbeatJobConfig[], d: HeartbeatDefaults): HeartbeatJob[] {
  return jobs.map((j) => ({
    service: j.service,
    intervalMs: j.interval ?? d.interval,
    allowedMisses: j.allowed_misses ?? d.allowed_misses,
    toleranceMs: j.tolerance ?? d.tolerance,
    failThreshold: j.fail_threshold ?? d.fail_threshold,
    runTimeoutMs: j.run_timeout ?? d.run_timeout,
    environment: j.environment ?? d.environment,
    labels: { ...d.labels, ...j.labels },
    token: j.token,
    autoRegistered: false,
  }));
}

export function heartbeatPolicy(d: HeartbeatDefaults): HeartbeatPolicy {
  return {
    autoRegister: { enabled: d.auto_register.enabled, max: d.auto_register.max, forgetAfterMs: d.auto_register.forget_after },
    pushedStaleAfterMisses: d.stale.pushed_after_misses,
  };
}
