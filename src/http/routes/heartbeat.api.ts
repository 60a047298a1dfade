/**
 * The heartbeat routes' description. The ping handler (heartbeat.ts) is the ingest fast path and checks its
 * input by hand (parseAction, parsePushed) rather than with zod; the schemas below describe those checks, and
 * heartbeat.api.test.ts holds them to the handler's answers.
 */
import { z } from 'zod';
import { HEARTBEAT_SERVICE_RE } from '../../config/heartbeats.ts';
import type { HeartbeatJobSummary, HeartbeatSummary } from '../../heartbeats/source.ts';
import { MAX_MESSAGE_CHARS, MAX_RID_LENGTH } from '../../heartbeats/state.ts';
import { errorSchema, isoDate, type ApiOperation, type ApiResponse } from '../openapi/registry.ts';
import { MAX_BODY_BYTES } from './heartbeat.ts';

const count = z.number().int().min(0);

const serviceParam = z.object({
  service: z.string().regex(HEARTBEAT_SERVICE_RE).describe('a job under heartbeats: in alerts.yaml, or any valid name while auto_register is on'),
});

/** The last path segment of a ping: what it reports. */
export const pingActionSchema = z
  .string()
  .regex(/^(start|fail|\d{1,3})$/)
  .describe('start (a run starts), fail, or an exit code 0-255 (0 is a success, 1-255 a failure); a number above 255 is a 400');

export const pingQuerySchema = z.object({
  rid: z.string().max(MAX_RID_LENGTH).optional().describe('run id: pairs a start with the success or failure that ends it (run duration)'),
  token: z.string().optional().describe("server.token or the job's token, when neither header carries it"),
});

/** A JSON ping body carrying any of these fields is pushed service metrics; without them the body is the message. */
export const pushedMetricsSchema = z
  .looseObject({
    cpu: z.number().min(0).max(100).optional().describe('percent'),
    memory: z.number().min(0).max(100).optional().describe('percent'),
    latency_ms: z.number().min(0).optional(),
    error_rate: z.number().min(0).max(1).optional(),
  })
  .describe('pushed service metrics; a JSON body with none of these fields is kept as the message instead')
  .meta({ id: 'PushedMetrics' });

const iso = isoDate;

export const heartbeatJobSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    labels: z.record(z.string(), z.string()),
    autoRegistered: z.boolean(),
    status: z.enum(['healthy', 'degraded', 'down']).describe("from the job's pings alone (the dashboard also weighs firing alerts)"),
    intervalMs: z.number(),
    toleranceMs: z.number(),
    allowedMisses: z.number().int(),
    failThreshold: z.number().int(),
    runTimeoutMs: z.number().nullable(),
    lastPingAt: iso.nullable(),
    lastSuccessAt: iso.nullable(),
    lastFailureAt: iso.nullable(),
    nextDeadlineAt: iso,
    missedIntervals: count,
    consecutiveFailures: count,
    lastExitCode: z.number().int().nullable(),
    lastMessage: z.string().nullable().describe('redacted, cut to a preview'),
    lastRunDurationMs: z.number().nullable(),
    runStartedAt: iso.nullable().describe('the oldest run started and not yet ended'),
    runOverdue: z.boolean(),
    pings: z.object({ success: count, start: count, fail: count }),
    pushed: z
      .object({ at: iso, stale: z.boolean(), cpuPercent: z.number().nullable(), memoryPercent: z.number().nullable(), latencyMs: z.number().nullable(), errorRate: z.number().nullable() })
      .nullable()
      .describe('the last pushed metrics; null when the service never pushed'),
  })
  .meta({ id: 'HeartbeatJob' }) satisfies z.ZodType<HeartbeatJobSummary>;

export const heartbeatSummarySchema = z
  .object({
    jobs: z.array(heartbeatJobSchema),
    autoRegistered: z.object({ count: count, max: z.number().int(), enabled: z.boolean() }),
  })
  .meta({ id: 'HeartbeatSummary' }) satisfies z.ZodType<HeartbeatSummary>;

const pingResponses: Record<number, ApiResponse> = {
  200: { description: 'recorded', contentType: 'text/plain', schema: z.literal('OK') },
  400: {
    description: 'an unknown action, a rid longer than 128 characters, an invalid name to auto-register, a body that is not JSON though Content-Type says so, or a pushed metric out of range (details name the field)',
    schema: errorSchema,
  },
  401: {
    description: "missing or wrong token (only when server.token or the job's token is set; or basic auth credentials when configured)",
    schema: errorSchema,
    headers: { 'WWW-Authenticate': { description: 'Bearer realm="prodpulse"', schema: z.string() } },
  },
  403: { description: 'auto_register is on but its max is reached', schema: errorSchema },
  404: { description: 'unknown service (auto_register is off)', schema: errorSchema },
};
const postResponses: Record<number, ApiResponse> = {
  ...pingResponses,
  413: {
    description: `body larger than ${MAX_BODY_BYTES} bytes (by Content-Length, or counted as it streams in)`,
    schema: errorSchema,
    headers: { Connection: { description: 'close: the rest of the body is not read', schema: z.literal('close') } },
  },
};

const pingBody: ApiOperation['body'] = {
  schema: pushedMetricsSchema,
  required: false,
  description: `at most ${MAX_BODY_BYTES} bytes. Any body that is not pushed metrics is kept (redacted, at most ${MAX_MESSAGE_CHARS} characters) as the job's last message`,
  also: [{ contentType: 'text/plain', schema: z.string().describe("the run's output, kept as the job's last message") }],
};

const HEAD = 'HEAD is answered as GET, without a body.';

/** GET|POST /heartbeat/{service}[/{action}], GET /heartbeats, GET /heartbeats/{service} */
export const heartbeatApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/heartbeat/{service}',
    operationId: 'pingHeartbeat',
    tag: 'heartbeats',
    auth: 'ping',
    summary: 'Ping: the job ran (success)',
    description: HEAD,
    pathParams: serviceParam,
    query: pingQuerySchema,
    responses: pingResponses,
  },
  {
    method: 'post',
    path: '/heartbeat/{service}',
    operationId: 'pingHeartbeatWithBody',
    tag: 'heartbeats',
    auth: 'ping',
    summary: "Ping with a body: the run's output, or pushed service metrics",
    pathParams: serviceParam,
    query: pingQuerySchema,
    body: pingBody,
    responses: postResponses,
  },
  {
    method: 'get',
    path: '/heartbeat/{service}/{action}',
    operationId: 'pingHeartbeatAction',
    tag: 'heartbeats',
    auth: 'ping',
    summary: 'Ping: a run starts, fails, or ends with an exit code',
    description: HEAD,
    pathParams: serviceParam.extend({ action: pingActionSchema }),
    query: pingQuerySchema,
    responses: pingResponses,
  },
  {
    method: 'post',
    path: '/heartbeat/{service}/{action}',
    operationId: 'pingHeartbeatActionWithBody',
    tag: 'heartbeats',
    auth: 'ping',
    summary: 'Ping with a body: a run starts, fails, or ends with an exit code',
    pathParams: serviceParam.extend({ action: pingActionSchema }),
    query: pingQuerySchema,
    body: pingBody,
    responses: postResponses,
  },
  {
    method: 'get',
    path: '/heartbeats',
    operationId: 'listHeartbeats',
    tag: 'heartbeats',
    summary: "Every heartbeat job's state (as in /metrics/live)",
    responses: { 200: { description: 'the jobs', schema: heartbeatSummarySchema } },
  },
  {
    method: 'get',
    path: '/heartbeats/{service}',
    operationId: 'getHeartbeat',
    tag: 'heartbeats',
    summary: 'One job, with its full last message and recent run durations',
    pathParams: z.object({ service: z.string().describe('the job') }),
    responses: {
      200: {
        description: 'the job',
        schema: heartbeatJobSchema.extend({
          lastMessage: z.string().nullable().describe(`redacted, at most ${MAX_MESSAGE_CHARS} characters`),
          runDurationsMs: z.array(z.number()).describe('recent completed runs, oldest first'),
        }),
      },
      404: { description: 'unknown service', schema: errorSchema },
    },
  },
];
