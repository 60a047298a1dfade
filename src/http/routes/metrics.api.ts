import { z } from 'zod';
import { errorSchema, type ApiOperation } from '../openapi/registry.ts';
import { liveQuery } from './live.ts';

const collector = z.object({ ok: z.boolean(), durationMs: z.number(), error: z.string().optional() });

export const liveSchema = z
  .object({
    takenAt: z.iso.datetime({ offset: true }),
    ageSeconds: z.number(),
    intervalSeconds: z.number(),
    sampleDurationMs: z.number(),
    collectors: z.record(z.string(), collector).describe('per collector: whether its last run succeeded'),
    host: z.record(z.string(), z.unknown()).describe("each successful collector's summary (units in the key names)"),
    sources: z
      .record(z.string(), collector.extend({ kind: z.string(), ageSeconds: z.number() }))
      .describe('every source (host collectors and the others): its kind, whether its last run succeeded, and the age of its reading'),
    status: z.array(z.looseObject({})).optional().describe('the status model: one entry per target'),
    history: z.array(z.object({ takenAt: z.number().describe('epoch ms'), values: z.record(z.string(), z.number()) })).optional(),
  })
  .catchall(z.record(z.string(), z.unknown()).describe("one property per other source kind (heartbeat, service, static, …): each successful source's summary by name"))
  .meta({ id: 'LiveSnapshot' });

/** GET /metrics and GET /metrics/live */
export const metricsApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'metrics',
    summary: 'Prometheus exposition of the last sample',
    description: 'Text format 0.0.4, or OpenMetrics 1.0 when the Accept header asks for it; gzip when accepted. Never samples: the bytes of the last sample.',
    responses: {
      200: { description: 'the exposition', contentType: 'text/plain', schema: z.string() },
      503: { description: 'no sample taken yet', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/metrics/live',
    operationId: 'getLive',
    tag: 'metrics',
    summary: 'The latest sample as JSON',
    query: liveQuery.extend({ history: liveQuery.shape.history.describe('include up to this many history points (oldest first)') }),
    responses: {
      200: { description: 'the latest sample', schema: liveSchema },
      400: { description: 'invalid query', schema: errorSchema },
      503: { description: 'no sample taken yet', schema: errorSchema },
    },
  },
];
