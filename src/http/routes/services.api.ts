/**
 * The services registry routes' description (services.ts): the request bodies are the zod schemas the registry
 * validates with (src/services/service-input.ts); the answers are described here and held to the handlers'
 * types with `satisfies`.
 */
import { z } from 'zod';
import { FAILURE_REASONS } from '../../probes/types.ts';
import { serviceInputSchema, servicePatchSchema, servicePutBodySchema, type ServiceView } from '../../services/service-input.ts';
import { SERVICE_EVENT_KINDS } from '../../store/probe-history-repo.ts';
import { errorSchema, isoDate, type ApiOperation, type ApiResponse } from '../openapi/registry.ts';
import { limitQuery, MAX_BODY_BYTES, type ServiceStatus, type ServiceSummary } from './services.ts';

const STATUSES = ['HEALTHY', 'DEGRADED', 'DOWN', 'UNKNOWN'] as const satisfies readonly ServiceStatus[];
const statusSchema = z.enum(STATUSES).describe('from the alerts firing on the service (ServiceDown, ServiceSlow, VersionDrift); UNKNOWN before the first check');
const versionMatches = z.boolean().nullable().describe('null when no version is expected or none was found');

const viewShape = {
  id: z.string(),
  name: z.string(),
  url: z.string().describe('credentials in the userinfo shown as [REDACTED]'),
  expectedVersion: z.string().nullable(),
  environment: z.string(),
  enabled: z.boolean(),
  intervalSeconds: z.number(),
  timeoutSeconds: z.number(),
  method: z.string(),
  headers: z.record(z.string(), z.literal('***')).describe('header names; values always redacted'),
  expectedStatus: z.array(z.number().int()).nullable().describe('null: any 2xx'),
  followRedirects: z.boolean(),
  degradedLatencyMs: z.number().nullable(),
  failureThreshold: z.number().int(),
  successThreshold: z.number().int(),
  version: z
    .union([z.strictObject({ jsonPath: z.string() }), z.strictObject({ header: z.string() }), z.strictObject({ regex: z.string() })])
    .nullable()
    .describe("where the version is read; null: the JSON body's version, then X-Service-Version"),
  source: z.enum(['config', 'api']).describe("'config': from alerts.yaml or a services_file, read-only through the API"),
  file: z.string().optional().describe('config services: the file they came from'),
};

/** A service definition as the API shows it (DELETE's `deleted`). */
export const serviceViewSchema = z.strictObject(viewShape).meta({ id: 'ServiceDefinition' }) satisfies z.ZodType<ServiceView>;

/** A service with its status (GET /services/{id}, every write's answer). */
export const serviceSchema = z
  .strictObject({
    ...viewShape,
    status: statusSchema,
    createdAt: isoDate.nullable().describe('API services; null for config services'),
    updatedAt: isoDate.nullable().describe('API services; null for config services'),
  })
  .meta({ id: 'Service' });

/** GET /health's `services` entries. */
export const serviceSummarySchema = z
  .strictObject({
    serviceId: z.string(),
    name: z.string(),
    environment: z.string(),
    status: statusSchema,
    latencyMs: z.number().nullable().describe('the last check; null before one'),
    version: z.string().nullable(),
    versionMatchesExpected: versionMatches,
    lastCheckedAt: isoDate.nullable(),
  })
  .meta({ id: 'ServiceSummary' }) satisfies z.ZodType<ServiceSummary>;

const uptimeWindow = z.strictObject({
  percent: z.number().min(0).max(100).nullable().describe('null without checks'),
  checks: z.number().int().min(0),
  failures: z.number().int().min(0),
});

export const serviceHealthSchema = z
  .strictObject({
    service: serviceSchema,
    status: statusSchema,
    lastCheckedAt: isoDate.nullable(),
    checks: z
      .array(
        z.strictObject({
          timestamp: isoDate,
          status: z.enum(['HEALTHY', 'DEGRADED', 'DOWN']).describe('DOWN: failed; DEGRADED: slower than degradedLatencyMs or another version than expected'),
          statusCode: z.number().int().nullable(),
          latencyMs: z.number(),
          version: z.string().nullable(),
          versionMatchesExpected: versionMatches,
          reason: z.enum(FAILURE_REASONS).nullable(),
          errorMessage: z.string().nullable().describe('short, redacted'),
        }),
      )
      .describe('newest first'),
    uptime: z.strictObject({ '24h': uptimeWindow, '7d': uptimeWindow, '30d': uptimeWindow }),
    latency: z
      .strictObject({ window: z.literal('24h'), p50Ms: z.number().nullable(), p95Ms: z.number().nullable(), samples: z.number().int().min(0) })
      .describe('successful checks only; estimated from the hourly histograms'),
    events: z
      .array(z.strictObject({ timestamp: isoDate, kind: z.enum(SERVICE_EVENT_KINDS), from: z.string().nullable(), to: z.string().nullable(), detail: z.string() }))
      .max(10)
      .describe('the last 10 state and version changes, newest first'),
  })
  .meta({ id: 'ServiceHealth' });

const idParam = z.object({ id: z.string().describe('service id') });
const listQuery = z.object({
  environment: z.string().optional().describe('only this environment'),
  source: z.string().optional().describe('api or config (any other value matches nothing)'),
});

const err = (description: string): ApiResponse => ({ description, schema: errorSchema });
const invalid = err('invalid body (details: [{field, message}]) or not JSON');
const tooLarge = err(`body larger than ${MAX_BODY_BYTES / 1024} KB`);
const unknown = err('no service with this id');
const readOnly = err('a config service (read-only through the API; the message names its file)');

const toggle = (action: 'enable' | 'disable'): ApiOperation[] =>
  (['post', 'patch'] as const).map((method) => ({
    method,
    path: `/services/{id}/${action}`,
    operationId: `${action}Service${method === 'patch' ? 'Patch' : ''}`,
    tag: 'services',
    auth: 'token',
    summary: action === 'enable' ? 'Turn probing on (POST or PATCH, no body)' : 'Turn probing off (POST or PATCH, no body); the history stays',
    pathParams: idParam,
    responses: { 200: { description: 'the service', schema: serviceSchema }, 404: unknown, 409: readOnly },
  }));

/** /services CRUD, enable/disable, and GET /health/{id} */
export const servicesApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/services',
    operationId: 'listServices',
    tag: 'services',
    summary: 'Every service: config services first, then API services, each by id',
    query: listQuery,
    responses: {
      200: {
        description: 'services',
        schema: z.strictObject({ services: z.array(serviceSchema), total: z.number().int().min(0), maxServices: z.number().int() }),
      },
    },
  },
  {
    method: 'post',
    path: '/services',
    operationId: 'createService',
    tag: 'services',
    auth: 'token',
    summary: 'Create an API service (only id and url required; the rest takes defaults.services)',
    body: { schema: serviceInputSchema, description: `JSON, at most ${MAX_BODY_BYTES / 1024} KB; timeoutSeconds must not exceed intervalSeconds` },
    responses: {
      201: { description: 'created', schema: serviceSchema, headers: { Location: { description: '/services/{id}', schema: z.string() } } },
      400: invalid,
      409: err('the id exists (an API service, or a config service: read-only), or maxServices services exist'),
      413: tooLarge,
    },
  },
  {
    method: 'get',
    path: '/services/{id}',
    operationId: 'getService',
    tag: 'services',
    summary: 'One service with its status',
    pathParams: idParam,
    responses: { 200: { description: 'the service', schema: serviceSchema }, 404: unknown },
  },
  {
    method: 'put',
    path: '/services/{id}',
    operationId: 'putService',
    tag: 'services',
    auth: 'token',
    summary: 'Create or replace an API service; fields left out take the defaults again',
    pathParams: idParam,
    body: { schema: servicePutBodySchema, description: 'as POST /services; the id may be left out, and when given must match the path' },
    responses: {
      200: { description: 'replaced', schema: serviceSchema },
      201: { description: 'created', schema: serviceSchema },
      400: invalid,
      409: err('a config service (read-only), or maxServices services exist'),
      413: tooLarge,
    },
  },
  {
    method: 'patch',
    path: '/services/{id}',
    operationId: 'patchService',
    tag: 'services',
    auth: 'token',
    summary: 'Merge fields into an API service; null resets a field to its default (expectedVersion, degradedLatencyMs, version: none)',
    pathParams: idParam,
    body: { schema: servicePatchSchema, description: 'any subset; the id cannot change' },
    responses: { 200: { description: 'the merged service', schema: serviceSchema }, 400: invalid, 404: unknown, 409: readOnly, 413: tooLarge },
  },
  {
    method: 'delete',
    path: '/services/{id}',
    operationId: 'deleteService',
    tag: 'services',
    auth: 'token',
    summary: 'Remove an API service (its history stays until retention removes it)',
    pathParams: idParam,
    responses: {
      200: { description: 'removed', schema: z.strictObject({ deleted: serviceViewSchema }) },
      404: unknown,
      409: readOnly,
    },
  },
  ...toggle('enable'),
  ...toggle('disable'),
  {
    method: 'get',
    path: '/health/{id}',
    operationId: 'getServiceHealth',
    tag: 'health',
    summary: "One service's recent checks, uptime over 24h/7d/30d, latency percentiles and events (disabled services too)",
    pathParams: idParam,
    query: limitQuery,
    responses: {
      200: { description: 'the service health', schema: serviceHealthSchema },
      400: err('limit is not an integer from 1 to 100 (details name it)'),
      404: unknown,
    },
  },
];
