import { z } from 'zod';
import { ANALYZE_DEFAULTS, INVALID_REASONS, type AnalyzeResult } from '../../heartbeats/analyze.ts';
import { errorSchema, type ApiOperation } from '../openapi/registry.ts';
import { ANALYZE_MAX_ALERTS, ANALYZE_MAX_BODY_BYTES, ANALYZE_MAX_SERVICES, analyzeQuery } from './analyze.ts';

/** UTC, whole microseconds at most: 2025-08-04T10:17:00Z, 2025-08-04T10:17:00.000123Z */
const utc = z.iso.datetime().describe('ISO 8601 time in UTC (…Z)');
const count = z.number().int().min(0);

/** One element of the body. Elements that do not fit are counted in invalid_by_reason, not refused. */
export const analyzeEventSchema = z
  .looseObject({
    service: z.string().describe('lower-case letters, digits, _ and - (1 to 100 characters, trimmed and lower-cased first)'),
    timestamp: z.union([z.string(), z.number()]).describe('ISO 8601 time, or unix seconds (number or numeric string)'),
  })
  .describe('a heartbeat event; extra keys are ignored')
  .meta({ id: 'HeartbeatEvent' });

const eventsSchema = z.array(analyzeEventSchema).describe('the events, in any order');

export const analyzeResultSchema = z
  .object({
    total_events: count,
    valid_events: count,
    invalid_events: count,
    invalid_by_reason: z.record(z.enum(INVALID_REASONS), count).describe('every reason, with its count (0 when none)'),
    invalid: z.array(z.object({ index: count.describe('position in the input array'), reason: z.enum(INVALID_REASONS) })).describe('invalid elements in input order (at most 10 000)'),
    invalid_truncated: z.boolean(),
    services: z
      .array(z.object({ service: z.string(), events: count, first_seen: utc, last_seen: utc, alerts: count }))
      .describe(`in order of first appearance among valid events (at most ${ANALYZE_MAX_SERVICES}; services_total counts them all)`),
    services_total: count,
    alerts: z
      .array(
        z.object({
          service: z.string(),
          alert_at: utc.describe('the deadline whose miss completed the count'),
          missed_count: z.number().int().min(1),
          last_seen: utc.describe("the last event before the silence, or the previous alert's deadline in the same gap"),
        }),
      )
      .describe(`grouped by service (at most ${ANALYZE_MAX_ALERTS}; alerts_total counts them all)`),
    alerts_total: count,
    alerts_truncated: z.boolean(),
    options: z
      .object({ interval_seconds: z.number(), allowed_misses: z.number().int(), tolerance_seconds: z.number(), until: utc.nullable() })
      .describe('the options the analysis ran with'),
    duration_ms: z.number().min(0),
  })
  .meta({ id: 'AnalyzeResult' }) satisfies z.ZodType<AnalyzeResult>;

const { interval, allowed_misses, tolerance, until } = analyzeQuery.shape;

/** POST /analyze */
export const analyzeApi: ApiOperation[] = [
  {
    method: 'post',
    path: '/analyze',
    operationId: 'analyzeHeartbeats',
    tag: 'heartbeats',
    auth: 'token',
    summary: 'Offline heartbeat analysis of a file of events',
    description:
      'The events are a JSON array sent as the body (any content type but multipart/form-data is read as JSON) or as the `file` field of a ' +
      'multipart/form-data upload. Every gap of `allowed_misses` missed deadlines raises an alert. Bodies above 256 KB are analyzed on a worker thread.',
    query: analyzeQuery.extend({
      interval: interval.describe(`expected period between events, in seconds (1 to 86400, fractions allowed; default ${ANALYZE_DEFAULTS.intervalSeconds})`),
      allowed_misses: allowed_misses.describe(`consecutive missed deadlines per alert (default ${ANALYZE_DEFAULTS.allowedMisses})`),
      tolerance: tolerance.describe(`grace added to every deadline, in seconds (default ${ANALYZE_DEFAULTS.toleranceSeconds})`),
      until: until.describe('also report the silence from each service\'s last event to this time: "now", an ISO 8601 time or unix seconds'),
    }),
    body: {
      schema: eventsSchema,
      description: `at most ${ANALYZE_MAX_BODY_BYTES} bytes`,
      also: [
        {
          contentType: 'multipart/form-data',
          schema: z.object({ file: z.string().meta({ contentMediaType: 'application/json' }).describe('the events file: a JSON array of events') }),
        },
      ],
    },
    responses: {
      200: { description: 'the analysis', schema: analyzeResultSchema },
      400: { description: 'an unknown or invalid query parameter (details name each), invalid JSON, a body that is not an array, or a multipart body without a file field', schema: errorSchema },
      413: { description: `body larger than ${ANALYZE_MAX_BODY_BYTES} bytes`, schema: errorSchema },
      503: {
        description: 'too many analyses running at once',
        schema: errorSchema,
        headers: { 'Retry-After': { description: 'seconds to wait', schema: z.number().int() } },
      },
    },
  },
];
