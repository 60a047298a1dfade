import { z } from 'zod';
import { silenceInputSchema } from '../../notify/silences.ts';
import { silencesPageQuery } from './silences.ts';
import { errorSchema, type ApiOperation } from '../openapi/registry.ts';

const iso = z.iso.datetime({ offset: true });

export const silenceSchema = z
  .object({
    id: z.string(),
    matchers: z.array(z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean() })),
    startsAt: iso,
    endsAt: iso,
    createdBy: z.string(),
    comment: z.string(),
    createdAt: iso,
    source: z.enum(['api', 'config']).describe("'config': a maintenance window from alerts.yaml (read-only)"),
    status: z.enum(['active', 'pending', 'expired']),
  })
  .meta({ id: 'Silence' });

const idParam = z.object({ id: z.string().describe('silence id') });

/** GET/POST /silences, GET/DELETE /silences/{id} */
export const silencesApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/silences',
    operationId: 'listSilences',
    tag: 'silences',
    summary: 'API silences (newest first), then maintenance windows; paged',
    query: silencesPageQuery,
    responses: {
      200: {
        description: 'a page of silences',
        schema: z.object({ silences: z.array(silenceSchema), total: z.number().int().describe('silences in all'), limit: z.number().int(), offset: z.number().int() }),
      },
    },
  },
  {
    method: 'post',
    path: '/silences',
    operationId: 'createSilence',
    tag: 'silences',
    auth: 'token',
    summary: 'Create a silence (Alertmanager v2 field names)',
    body: { schema: silenceInputSchema, description: 'at least one matcher must not match the empty string; endsAt after startsAt and in the future' },
    responses: {
      201: { description: 'created', schema: silenceSchema },
      400: { description: 'invalid silence (details per field)', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/silences/{id}',
    operationId: 'getSilence',
    tag: 'silences',
    summary: 'One silence',
    pathParams: idParam,
    responses: { 200: { description: 'the silence', schema: silenceSchema }, 404: { description: 'unknown id', schema: errorSchema } },
  },
  {
    method: 'delete',
    path: '/silences/{id}',
    operationId: 'expireSilence',
    tag: 'silences',
    auth: 'token',
    summary: 'Expire a silence now',
    pathParams: idParam,
    responses: {
      200: { description: 'the expired silence', schema: silenceSchema },
      404: { description: 'unknown id', schema: errorSchema },
      409: { description: 'a maintenance window from alerts.yaml (read-only) or already expired', schema: errorSchema },
    },
  },
];
