import { serviceDefaultsSchema, type ServiceDefaults as ConfigServiceDefaults } from '../config/services.ts';
import { z } from 'zod';
import type { ServiceDefinition, VersionLocator } from '../probes/types.ts';
import { redactText } from '../lib/redact.ts';

/**
 * The REST API's service body (camelCase, like the earlier monitor's ServiceDto: id, name, url, expectedVersion,
 * environment, enabled) plus the optional probe settings. Fields left out take the defaults from alerts.yaml
 * (`defaults.services`) when the service is resolved, so a later change of the defaults applies to them too.
 */

export const SERVICE_ID = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
export const MAX_HEADERS = 20;
export const MAX_STRING = 2048;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};
const statusCode = z.number().int().min(100).max(599);

const fields = {
  id: z
    .string({ error: (iss) => (iss.input === undefined ? 'required: the service\'s id (e.g. "payments"), 1-100 characters of a-z, 0-9, "_", "." and "-"' : 'expected a string') })
    .regex(SERVICE_ID, 'ids are 1-100 characters of a-z, 0-9, "_", "." and "-", starting with a letter or digit'),
  name: z.string().trim().min(1).max(200),
  url: z
    .string()
    .max(MAX_STRING)
    .refine(isHttpUrl, 'must be an absolute http:// or https:// URL')
    .meta({ format: 'uri', description: 'an absolute http:// or https:// URL' }),
  expectedVersion: z.string().trim().min(1).max(256).nullable(),
  environment: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'environments are 1-64 characters of letters, digits, "_", "." and "-"'),
  enabled: z.boolean(),
  intervalSeconds: z.number().min(1).max(86_400),
  timeoutSeconds: z.number().min(0.1).max(300).describe('must not exceed intervalSeconds'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  headers: z
    .record(z.string().regex(HEADER_NAME, 'not a valid HTTP header name'), z.string().max(MAX_STRING).regex(/^[^\r\n\0]*$/, 'header values cannot hold line breaks'))
    .refine((h) => Object.keys(h).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`)
    .meta({ maxProperties: MAX_HEADERS, description: 'sent with every check; values are always shown as "***"' }),
  expectedStatus: z.union([statusCode, z.array(statusCode).min(1).max(100)]),
  followRedirects: z.boolean(),
  degradedLatencyMs: z.number().positive().max(600_000),
  failureThreshold: z.number().int().min(1).max(100),
  successThreshold: z.number().int().min(1).max(100),
  version: z.union([
    z.strictObject({ jsonPath: z.string().min(1).max(256) }),
    z.strictObject({ header: z.string().regex(HEADER_NAME, 'not a valid HTTP header name') }),
    // a regex sent through the API would run against every response body on the probing thread; one with
    // catastrophic backtracking could stall it, so regexes are for config files (written by the operator) only
    z
      .strictObject({ regex: z.string() })
      .refine(() => false, 'a version regex is only accepted in config files; use jsonPath or header through the API')
      .describe('config files only: always a 400 through the API'),
  ], { error: 'expected {"jsonPath": "…"} or {"header": "…"}' }),
};

const timeoutWithinInterval = (s: { intervalSeconds?: number; timeoutSeconds?: number }, ctx: z.RefinementCtx) => {
  if (s.intervalSeconds !== undefined && s.timeoutSeconds !== undefined && s.timeoutSeconds > s.intervalSeconds)
    ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: 'must not exceed intervalSeconds' });
};

/** The whole service's fields, without the cross-field check (the OpenAPI description derives PUT's body from it). */
export const serviceInputObject = z.strictObject({
  id: fields.id,
  name: fields.name.optional(),
  url: fields.url,
  expectedVersion: fields.expectedVersion.optional(),
  environment: fields.environment.optional(),
  enabled: fields.enabled.optional(),
  intervalSeconds: fields.intervalSeconds.optional(),
  timeoutSeconds: fields.timeoutSeconds.optional(),
  method: fields.method.optional(),
  headers: fields.headers.optional(),
  /** null (as GET shows the default): any 2xx */
  expectedStatus: fields.expectedStatus.nullable().optional(),
  followRedirects: fields.followRedirects.optional(),
  degradedLatencyMs: fields.degradedLatencyMs.nullable().optional(),
  failureThreshold: fields.failureThreshold.optional(),
  successThreshold: fields.successThreshold.optional(),
  version: fields.version.nullable().optional(),
});

/** POST /services and PUT /services/:id: a whole service (only id and url required). */
export const serviceInputSchema = serviceInputObject.superRefine(timeoutWithinInterval);

/** PUT /services/:id as sent: the id may be left out (the path's is taken); validated as serviceInputSchema after that. */
export const servicePutBodySchema = serviceInputObject.partial({ id: true }).superRefine(timeoutWithinInterval);
export type ServiceInput = z.output<typeof serviceInputSchema>;

/**
 * PATCH /services/:id: any subset, merged into the stored body. null resets a field to its default, except
 * expectedVersion, degradedLatencyMs and version, where null means "none" (no version expected, never slow, the
 * default version lookup). id and url cannot be reset; the id cannot change.
 */
export const servicePatchSchema = z.strictObject({
  id: fields.id.optional(),
  name: fields.name.nullable().optional(),
  url: fields.url.optional(),
  expectedVersion: fields.expectedVersion.optional(),
  environment: fields.environment.nullable().optional(),
  enabled: fields.enabled.nullable().optional(),
  intervalSeconds: fields.intervalSeconds.nullable().optional(),
  timeoutSeconds: fields.timeoutSeconds.nullable().optional(),
  method: fields.method.nullable().optional(),
  headers: fields.headers.nullable().optional(),
  expectedStatus: fields.expectedStatus.nullable().optional(),
  followRedirects: fields.followRedirects.nullable().optional(),
  degradedLatencyMs: fields.degradedLatencyMs.nullable().optional(),
  failureThreshold: fields.failureThreshold.nullable().optional(),
  successThreshold: fields.successThreshold.nullable().optional(),
  version: fields.version.nullable().optional(),
});
export type ServicePatch = z.output<typeof servicePatchSchema>;

/** Defaults for what a body leaves out (alerts.yaml `defaults.services`, mapped by the caller). */
export type ServiceDefaults = Pick<
  ServiceDefinition,
  'environment' | 'intervalMs' | 'timeoutMs' | 'method' | 'headers' | 'expectedStatus' | 'followRedirects' | 'degradedLatencyMs' | 'failureThreshold' | 'successThreshold'
>;
/**
 * What API-created services inherit from alerts.yaml's `defaults.services`: everything but `headers`, which may hold
 * secrets from ${VAR} that whoever holds the write token could otherwise send to any URL.
 */
export function apiServiceDefaults(d: ConfigServiceDefaults): ServiceDefaults {
  return {
    environment: d.environment,
    intervalMs: d.intervalMs,
    timeoutMs: d.timeoutMs,
    method: d.method,
    headers: {},
    expectedStatus: d.expectedStatus,
    followRedirects: d.followRedirects,
    degradedLatencyMs: d.degradedLatencyMs,
    failureThreshold: d.failureThreshold,
    successThreshold: d.successThreshold,
  };
}

/** The defaults of an alerts.yaml without `defaults.services` (one source: src/config/services.ts). */
export const DEFAULT_SERVICE_DEFAULTS: ServiceDefaults = apiServiceDefaults(serviceDefaultsSchema.parse({}));

const toLocator = (v: ServiceInput['version']): VersionLocator | undefined => {
  if (!v) return undefined;
  if ('jsonPath' in v) return { json_path: v.jsonPath };
  if ('header' in v) return { header: v.header };
  return { regex: v.regex };
};

/** The probe's ServiceDefinition for an API body, defaults filled in. */
export function resolveServiceInput(input: ServiceInput, d: ServiceDefaults): ServiceDefinition {
  const intervalMs = input.intervalSeconds !== undefined ? Math.round(input.intervalSeconds * 1000) : d.intervalMs;
  const timeoutMs = input.timeoutSeconds !== undefined ? Math.round(input.timeoutSeconds * 1000) : Math.min(d.timeoutMs, intervalMs);
  return {
    id: input.id,
    name: input.name ?? input.id,
    url: input.url,
    expectedVersion: input.expectedVersion ?? null,
    environment: input.environment ?? d.environment,
    enabled: input.enabled ?? true,
    intervalMs,
    timeoutMs,
    method: input.method ?? d.method,
    headers: { ...d.headers, ...input.headers },
    expectedStatus: input.expectedStatus === undefined || input.expectedStatus === null ? d.expectedStatus : [input.expectedStatus].flat(),
    followRedirects: input.followRedirects ?? d.followRedirects,
    degradedLatencyMs: input.degradedLatencyMs === undefined ? d.degradedLatencyMs : (input.degradedLatencyMs ?? undefined),
    failureThreshold: input.failureThreshold ?? d.failureThreshold,
    successThreshold: input.successThreshold ?? d.successThreshold,
    version: toLocator(input.version),
    source: 'api',
  };
}

/** A service as the API shows it: camelCase, seconds, header values and URL credentials redacted. */
export interface ServiceView {
  id: string;
  name: string;
  url: string;
  expectedVersion: string | null;
  environment: string;
  enabled: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  method: string;
  headers: Record<string, string>;
  expectedStatus: number[] | null;
  followRedirects: boolean;
  degradedLatencyMs: number | null;
  failureThreshold: number;
  successThreshold: number;
  version: { jsonPath: string } | { header: string } | { regex: string } | null;
  source: 'config' | 'api';
  file?: string;
}

export function serviceView(s: ServiceDefinition): ServiceView {
  const v = s.version;
  return {
    id: s.id,
    name: s.name,
    url: redactText(s.url),
    expectedVersion: s.expectedVersion,
    environment: s.environment,
    enabled: s.enabled,
    intervalSeconds: s.intervalMs / 1000,
    timeoutSeconds: s.timeoutMs / 1000,
    method: s.method,
    headers: Object.fromEntries(Object.keys(s.headers).map((k) => [k, '***'])),
    expectedStatus: s.expectedStatus ?? null,
    followRedirects: s.followRedirects,
    degradedLatencyMs: s.degradedLatencyMs ?? null,
    failureThreshold: s.failureThreshold,
    successThreshold: s.successThreshold,
    version: !v ? null : 'json_path' in v ? { jsonPath: v.json_path } : 'header' in v ? { header: v.header } : { regex: v.regex },
    source: s.source,
    ...(s.file !== undefined ? { file: s.file } : {}),
  };
}
