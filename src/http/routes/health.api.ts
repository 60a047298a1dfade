import { z } from 'zod';
import type { ApiOperation } from '../openapi/registry.ts';
import { serviceSummarySchema } from './services.api.ts';

/** GET /health and GET /ready (GET /health/{id} is in services.api.ts, beside its handler) */
export const healthApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tag: 'health',
    summary: 'Process health (200 while the process lives, whatever the services do)',
    query: z.object({ environment: z.string().optional().describe('only the services of this environment') }),
    responses: {
      200: {
        description: 'alive',
        schema: z
          .object({
            status: z.literal('ok'),
            version: z.string(),
            uptimeSeconds: z.number().int(),
            services: z
              .array(serviceSummarySchema)
              .optional()
              .describe('one summary per enabled service (always present in the sidecar; absent only when the app runs without the services registry)'),
          })
          .meta({ id: 'Health' }),
      },
    },
  },
  {
    method: 'get',
    path: '/ready',
    operationId: 'getReady',
    tag: 'health',
    summary: 'Readiness: 503 until the first sample, then 200',
    responses: {
      200: { description: 'ready', schema: z.object({ status: z.literal('ready'), lastSampleAt: z.iso.datetime({ offset: true }) }) },
      503: { description: 'no sample yet', schema: z.object({ status: z.literal('not ready'), reason: z.string() }) },
    },
  },
];
