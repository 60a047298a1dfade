/**
 * `services:` entries of alerts.yaml and `defaults.services`: the zod schemas and the normalization into the
 * probe's ServiceDefinition (src/probes/types.ts). Services files (src/config/services-file.ts) produce the same
 * ServiceEntry, so every service reaches the prober through `serviceDefinitions`.
 */
import { z } from 'zod';
import type { ServiceDefinition, VersionLocator } from '../probes/types.ts';
import { versionPatternError } from '../probes/version.ts';
import { durationMs } from '../lib/duration.ts';

/** Ids key history, API paths and metric labels: letters, digits, `_ . -`, starting with a letter or digit. */
export const SERVICE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const SERVICE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** "[My service] Self Ping" → "my-service-self-ping"; undefined when nothing usable is left. */
export function serviceIdFromName(name: string): string | undefined {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug === '' ? undefined : slug;
}

/** http:// or https:// only, with a host. */
export const httpUrl = z.string().superRefine((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    return;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `only http:// and https:// URLs can be probed, not ${u.protocol}//` });
  else if (u.hostname === '') ctx.addIssue({ code: 'custom', message: 'the URL needs a host' });
});

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** HTTP header names and values that can be sent as configured (no line breaks); also a webhook channel's headers */
export const httpHeadersSchema = z.record(
  z.string().regex(HEADER_NAME_RE, 'must be a valid HTTP header name'),
  z.string().refine((v) => !/[\r\n\0]/.test(v), 'header values must not contain line breaks'),
);

const statusCode = z.number().int().min(100).max(599);
const headers = httpHeadersSchema;

const expectedStatus = z.union([statusCode, z.array(statusCode).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const versionLocator = z
  .strictObject({
    json_path: z.string().min(1).max(200).optional(),
    header: z.string().regex(HEADER_NAME_RE, 'must be a valid HTTP header name').optional(),
    regex: z
      .string()
      .optional()
      .superRefine((src, ctx) => {
        const err = src === undefined ? undefined : versionPatternError(src);
        if (err) ctx.addIssue({ code: 'custom', message: err });
      }),
  })
  .superRefine((v, ctx) => {
    const set = [v.json_path, v.header, v.regex].filter((x) => x !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', message: 'set exactly one of json_path, header or regex' });
  })
  .transform((v): VersionLocator => (v.json_path !== undefined ? { json_path: v.json_path } : v.header !== undefined ? { header: v.header } : { regex: v.regex! }));

const method = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(SERVICE_METHODS, { error: `must be one of ${SERVICE_METHODS.join(', ')}` }));
const threshold = z.number().int().min(1).max(1000);
const environment = z.string().min(1).max(64);

/** How a probe runs; per service, falling back to defaults.services. */
const probeSettings = {
  interval: durationMs.optional(),
  timeout: durationMs.optional(),
  method: method.optional(),
  headers: headers.optional(),
  expected_status: expectedStatus.optional(),
  follow_redirects: z.boolean().optional(),
  degraded_latency: durationMs.optional(),
  failure_threshold: threshold.optional(),
  success_threshold: threshold.optional(),
  version: versionLocator.optional(),
};

export const DEFAULT_SERVICE_SETTINGS = {
  environment: 'production',
  intervalMs: 30_000,
  timeoutMs: 5_000,
  method: 'GET',
  failureThreshold: 3,
  successThreshold: 1,
} as const;

/** `defaults.services`: what every service inherits unless it sets its own. Headers merge (a service's win). */
export const serviceDefaultsSchema = z
  .strictObject({ environment: environment.optional(), ...probeSettings })
  .prefault({})
  .transform((d) => ({
    environment: d.environment ?? DEFAULT_SERVICE_SETTINGS.environment,
    intervalMs: d.interval ?? DEFAULT_SERVICE_SETTINGS.intervalMs,
    timeoutMs: d.timeout ?? DEFAULT_SERVICE_SETTINGS.timeoutMs,
    method: d.method ?? DEFAULT_SERVICE_SETTINGS.method,
    headers: d.headers ?? {},
    expectedStatus: d.expected_status,
    followRedirects: d.follow_redirects ?? false,
    degradedLatencyMs: d.degraded_latency,
    failureThreshold: d.failure_threshold ?? DEFAULT_SERVICE_SETTINGS.failureThreshold,
    successThreshold: d.success_threshold ?? DEFAULT_SERVICE_SETTINGS.successThreshold,
    version: d.version,
  }));
export type ServiceDefaults = z.output<typeof serviceDefaultsSchema>;

/** One configured service before defaults apply: the id is resolved (derived from the name when absent). */
export interface ServiceEntry {
  id: string;
  name: string;
  url: string;
  expectedVersion: string | null;
  environment: string | undefined;
  enabled: boolean;
  intervalMs?: number | undefined;
  timeoutMs?: number | undefined;
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  expectedStatus?: number[] | undefined;
  followRedirects?: boolean | undefined;
  degradedLatencyMs?: number | undefined;
  failureThreshold?: number | undefined;
  successThreshold?: number | undefined;
  version?: VersionLocator | undefined;
  /** the services file this entry came from (absent: alerts.yaml itself) */
  file?: string | undefined;
}

/** Version strings as the earlier tools wrote them: numbers become strings, null and "" mean none. */
const expectedVersion = z
  .union([z.string().max(200), z.number()])
  .nullable()
  .optional()
  .transform((v) => (v === undefined || v === null || String(v).trim() === '' ? null : String(v).trim()));

/** Resolves the id (given, or the slug of the name) and the name (given, or the id). */
export function resolveIdentity(id: string | undefined, name: string | undefined, ctx: z.RefinementCtx): { id: string; name: string } | undefined {
  const resolved = id ?? (name === undefined ? undefined : serviceIdFromName(name));
  if (resolved === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: name === undefined ? [] : ['name'],
      message: name === undefined ? 'a service needs an id or a name' : 'cannot derive an id from this name (no letters or digits); set id',
    });
    return undefined;
  }
  return { id: resolved, name: name ?? resolved };
}

export const serviceEntrySchema = z
  .strictObject({
    id: z.string().regex(SERVICE_ID_RE, 'ids use letters, digits, _ . - (at most 100, starting with a letter or digit)').optional(),
    name: z.string().trim().min(1).max(200).optional(),
    url: httpUrl,
    expected_version: expectedVersion,
    environment: environment.optional(),
    enabled: z.boolean().default(true),
    ...probeSettings,
  })
  .transform((s, ctx): ServiceEntry => {
    const who = resolveIdentity(s.id, s.name, ctx);
    if (!who) return z.NEVER;
    return {
      ...who,
      url: s.url,
      expectedVersion: s.expected_version,
      environment: s.environment,
      enabled: s.enabled,
      intervalMs: s.interval,
      timeoutMs: s.timeout,
      method: s.method,
      headers: s.headers,
      expectedStatus: s.expected_status,
      followRedirects: s.follow_redirects,
      degradedLatencyMs: s.degraded_latency,
      failureThreshold: s.failure_threshold,
      successThreshold: s.success_threshold,
      version: s.version,
    };
  });

/** `services:`: entries with unique ids (a derived id that collides names both entries). */
export const servicesSchema = z
  .array(serviceEntrySchema)
  .default([])
  .superRefine((list, ctx) => {
    for (const issue of duplicateIdIssues(list)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

export interface ServiceIssue {
  path: (string | number)[];
  message: string;
}

/** One issue per entry whose id an earlier entry already has. */
export function duplicateIdIssues(list: readonly ServiceEntry[], taken: ReadonlyMap<string, string> = new Map()): ServiceIssue[] {
  const seen = new Map(taken);
  const issues: ServiceIssue[] = [];
  list.forEach((s, i) => {
    const first = seen.get(s.id);
    if (first !== undefined) issues.push({ path: [i, 'id'], message: `duplicate service id "${s.id}" (also ${first})` });
    else seen.set(s.id, `services[${i}]${s.file ? ` in ${s.file}` : ''}`);
  });
  return issues;
}

/** Checks that need the defaults: the timeout must fit in the interval; intervals of at least 1s. */
export function serviceSettingIssues(list: readonly ServiceEntry[], defaults: ServiceDefaults): ServiceIssue[] {
  // paths from the config root: a value inherited from defaults.services is reported there, once
  const issues = new Map<string, ServiceIssue>();
  const add = (path: (string | number)[], message: string) => issues.set(JSON.stringify(path), { path, message });
  const where = (i: number, own: unknown, field: 'interval' | 'timeout') => (own === undefined ? ['defaults', 'services', field] : ['services', i, field]);
  list.forEach((s, i) => {
    const interval = s.intervalMs ?? defaults.intervalMs;
    const timeout = s.timeoutMs ?? defaults.timeoutMs;
    if (interval < 1000) add(where(i, s.intervalMs, 'interval'), `interval must be at least 1s (got ${interval}ms)`);
    if (timeout < 10) add(where(i, s.timeoutMs, 'timeout'), `timeout must be at least 10ms (got ${timeout}ms)`);
    if (timeout > interval) add(s.timeoutMs === undefined && s.intervalMs !== undefined ? ['services', i, 'interval'] : where(i, s.timeoutMs, 'timeout'), `timeout (${timeout}ms) must not exceed the interval (${interval}ms)`);
  });
  return [...issues.values()];
}

/** Merges one entry with the defaults. */
export function toServiceDefinition(s: ServiceEntry, d: ServiceDefaults): ServiceDefinition {
  const def: ServiceDefinition = {
    id: s.id,
    name: s.name,
    url: s.url,
    expectedVersion: s.expectedVersion,
    environment: s.environment ?? d.environment,
    enabled: s.enabled,
    intervalMs: s.intervalMs ?? d.intervalMs,
    timeoutMs: s.timeoutMs ?? d.timeoutMs,
    method: s.method ?? d.method,
    headers: mergeHeaders(d.headers, s.headers ?? {}),
    expectedStatus: s.expectedStatus ?? d.expectedStatus,
    followRedirects: s.followRedirects ?? d.followRedirects,
    degradedLatencyMs: s.degradedLatencyMs ?? d.degradedLatencyMs,
    failureThreshold: s.failureThreshold ?? d.failureThreshold,
    successThreshold: s.successThreshold ?? d.successThreshold,
    version: s.version ?? d.version,
    source: 'config',
  };
  if (s.file !== undefined) def.file = s.file;
  return def;
}

/** Every configured service (alerts.yaml `services:` and the `services_file:` entries merged into it by the loader). */
export function serviceDefinitions(config: { services: readonly ServiceEntry[]; defaults: { services: ServiceDefaults } }): ServiceDefinition[] {
  return config.services.map((s) => toServiceDefinition(s, config.defaults.services));
}

/** Header names are case-insensitive: a service's `authorization` replaces the defaults' `Authorization`. */
function mergeHeaders(base: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const ownNames = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(base)) if (!ownNames.has(k.toLowerCase())) out[k] = v;
  return Object.assign(out, own);
}
