import type { ServiceDefinition } from '../probes/types.ts';
import type { ServiceRegistryRepo } from '../store/service-registry-repo.ts';
import {
  DEFAULT_SERVICE_DEFAULTS,
  resolveServiceInput,
  serviceInputSchema,
  servicePatchSchema,
  type ServiceDefaults,
  type ServiceInput,
} from './service-input.ts';
import { restoreRedacted } from './redacted-secrets.ts';

/**
 * The services being watched: the ones from config files (alerts.yaml `services:`, a services file; read-only here)
 * merged with the ones created through the REST API (persisted in SQLite through the repo). A config service
 * shadows an API service with the same id (the API row stays stored and comes back if the file drops the id).
 *
 * Every change is announced to onChange listeners so the owner can rebuild the probe sources.
 */

export type RegistryErrorCode = 'invalid' | 'not_found' | 'exists' | 'read_only' | 'limit';

export interface FieldIssue {
  field: string;
  message: string;
}

export class ServiceRegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly details: FieldIssue[] | undefined;
  constructor(code: RegistryErrorCode, message: string, details?: FieldIssue[]) {
    super(message);
    this.name = 'ServiceRegistryError';
    this.code = code;
    this.details = details;
  }
}

export type RegistryChange =
  | { kind: 'create' | 'replace' | 'patch' | 'remove' | 'enable' | 'disable'; id: string }
  | { kind: 'config' | 'defaults' };

export interface ServiceEntry {
  service: ServiceDefinition;
  /** epoch ms; API services only */
  createdAt?: number;
  updatedAt?: number;
}

export interface ServiceRegistry {
  /** every service, config ones first, each group by id */
  list(): ServiceDefinition[];
  /** enabled services only (what should be probed) */
  enabled(): ServiceDefinition[];
  get(id: string): ServiceDefinition | undefined;
  entry(id: string): ServiceEntry | undefined;
  /** 'exists' when the id is taken (config or API) */
  create(body: unknown): ServiceDefinition;
  /** creates or replaces an API service; the body's id, when given, must be the path's */
  put(id: string, body: unknown): { service: ServiceDefinition; created: boolean };
  patch(id: string, body: unknown): ServiceDefinition;
  remove(id: string): ServiceDefinition;
  setEnabled(id: string, enabled: boolean): ServiceDefinition;
  /** hot reload: the config services now (source 'config', with their file) */
  replaceConfigServices(defs: ServiceDefinition[]): void;
  /** hot reload of `defaults.services`: API services re-resolved */
  setDefaults(d: ServiceDefaults): void;
  /** the listener runs after every change; returns an unsubscribe function */
  onChange(fn: (change: RegistryChange) => void): () => void;
  /** stored API services that no longer validate (kept in the database, not probed) */
  loadErrors(): { id: string; issues: FieldIssue[] }[];
  readonly maxServices: number;
}

export interface RegistryDeps {
  repo: ServiceRegistryRepo;
  now: () => number;
  configServices?: ServiceDefinition[];
  defaults?: ServiceDefaults;
  /** config + API services at most (default 1000) */
  maxServices?: number;
  /** a listener that throws is reported here, never to the API caller */
  onListenerError?: (err: unknown) => void;
}

interface ApiEntry {
  input: ServiceInput;
  service: ServiceDefinition;
  createdAt: number;
  updatedAt: number;
}

const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }): FieldIssue[] =>
  error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));

function parseInput(body: unknown): ServiceInput {
  const parsed = serviceInputSchema.safeParse(body);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ServiceRegistryError('invalid', `invalid service: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** the body with GET's read-only fields dropped and its secret placeholders restored from `stored` (or a 400) */
function restored(body: unknown, stored: ServiceInput | undefined): unknown {
  const r = restoreRedacted(body, stored);
  if (r.issues.length > 0) throw new ServiceRegistryError('invalid', `invalid service: ${r.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, r.issues);
  return r.body;
}

/** drops undefined fields so the stored JSON holds only what was given */
const compact = (input: ServiceInput): ServiceInput =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ServiceInput;

export function createServiceRegistry(deps: RegistryDeps): ServiceRegistry {
  const maxServices = deps.maxServices ?? 1000;
  let defaults = deps.defaults ?? DEFAULT_SERVICE_DEFAULTS;
  let config = new Map<string, ServiceDefinition>();
  const api = new Map<string, ApiEntry>();
  const listeners = new Set<(c: RegistryChange) => void>();
  const loadErrors: { id: string; issues: FieldIssue[] }[] = [];

  const setConfig = (defs: ServiceDefinition[]) => {
    config = new Map(defs.map((d) => [d.id, { ...d, source: 'config' as const }]));
  };
  setConfig(deps.configServices ?? []);

  for (const row of deps.repo.list()) {
    const parsed = serviceInputSchema.safeParse(row.input);
    if (!parsed.success || parsed.data.id !== row.id) {
      loadErrors.push({ id: row.id, issues: parsed.success ? [{ field: 'id', message: `stored under ${row.id}` }] : issuesOf(parsed.error) });
      continue;
    }
    api.set(row.id, { input: parsed.data, service: resolveServiceInput(parsed.data, defaults), createdAt: row.createdAt, updatedAt: row.updatedAt });
  }

  const emit = (change: RegistryChange) => {
    for (const fn of listeners) {
      try {
        fn(change);
      } catch (err) {
        deps.onListenerError?.(err);
      }
    }
  };
  const total = () => config.size + [...api.keys()].filter((id) => !config.has(id)).length;
  const readOnly = (id: string): never => {
    const s = config.get(id)!;
    throw new ServiceRegistryError(
      'read_only',
      `service ${id} comes from ${s.file ?? 'the configuration file'} and is read-only through the API; change it in that file`,
    );
  };
  const mustApi = (id: string): ApiEntry => {
    if (config.has(id)) readOnly(id);
    const e = api.get(id);
    if (!e) throw new ServiceRegistryError('not_found', `no service with id ${id}`);
    return e;
  };
  const store = (input: ServiceInput, createdAt: number): ApiEntry => {
    const now = deps.now();
    return { input, service: resolveServiceInput(input, defaults), createdAt, updatedAt: now };
  };

  return {
    maxServices,
    list: () => [
      ...[...config.values()].sort((a, b) => a.id.localeCompare(b.id)),
      ...[...api.values()].filter((e) => !config.has(e.service.id)).map((e) => e.service).sort((a, b) => a.id.localeCompare(b.id)),
    ],
    enabled() {
      return this.list().filter((s) => s.enabled);
    },
    get: (id) => config.get(id) ?? api.get(id)?.service,
    entry: (id) => {
      const c = config.get(id);
      if (c) return { service: c };
      const e = api.get(id);
      return e && { service: e.service, createdAt: e.createdAt, updatedAt: e.updatedAt };
    },
    create(body) {
      const input = compact(parseInput(restored(body, undefined)));
      if (config.has(input.id)) {
        const s = config.get(input.id)!;
        throw new ServiceRegistryError('exists', `service ${input.id} already exists (from ${s.file ?? 'the configuration file'}, read-only)`);
      }
      if (api.has(input.id)) throw new ServiceRegistryError('exists', `service ${input.id} already exists; use PUT or PATCH /services/${input.id} to change it`);
      if (total() >= maxServices) throw new ServiceRegistryError('limit', `at most ${maxServices} services; delete one first`);
      const now = deps.now();
      if (!deps.repo.insert(input.id, input, now)) throw new ServiceRegistryError('exists', `service ${input.id} already exists`);
      const e = store(input, now);
      api.set(input.id, e);
      emit({ kind: 'create', id: input.id });
      return e.service;
    },
    put(id, body) {
      if (config.has(id)) readOnly(id);
      const withId = body && typeof body === 'object' && !Array.isArray(body) && !('id' in body) ? { ...body, id } : body;
      const input = compact(parseInput(restored(withId, api.get(id)?.input)));
      if (input.id !== id) throw new ServiceRegistryError('invalid', `id in the body (${input.id}) differs from the path (${id})`, [{ field: 'id', message: 'must match the path' }]);
      const old = api.get(id);
      if (!old && total() >= maxServices) throw new ServiceRegistryError('limit', `at most ${maxServices} services; delete one first`);
      const now = deps.now();
      deps.repo.upsert(id, input, now);
      const e = store(input, old?.createdAt ?? now);
      api.set(id, e);
      emit({ kind: old ? 'replace' : 'create', id });
      return { service: e.service, created: !old };
    },
    patch(id, body) {
      const old = mustApi(id);
      const parsed = servicePatchSchema.safeParse(restored(body, old.input));
      if (!parsed.success) {
        const issues = issuesOf(parsed.error);
        throw new ServiceRegistryError('invalid', `invalid service: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
      }
      if (parsed.data.id !== undefined && parsed.data.id !== id)
        throw new ServiceRegistryError('invalid', `the id cannot be changed (path ${id}, body ${parsed.data.id}); create a new service instead`, [
          { field: 'id', message: 'must match the path' },
        ]);
      const merged: Record<string, unknown> = { ...old.input };
      for (const [k, v] of Object.entries(parsed.data)) {
        if (v === undefined) continue;
        if (v === null && k !== 'expectedVersion' && k !== 'degradedLatencyMs' && k !== 'version') delete merged[k];
        else merged[k] = v;
      }
      const input = compact(parseInput(merged));
      deps.repo.upsert(id, input, deps.now());
      const e = store(input, old.createdAt);
      api.set(id, e);
      emit({ kind: 'patch', id });
      return e.service;
    },
    remove(id) {
      const old = mustApi(id);
      deps.repo.delete(id);
      api.delete(id);
      emit({ kind: 'remove', id });
      return old.service;
    },
    setEnabled(id, enabled) {
      const old = mustApi(id);
      const input = { ...old.input, enabled };
      deps.repo.upsert(id, input, deps.now());
      const e = store(input, old.createdAt);
      api.set(id, e);
      emit({ kind: enabled ? 'enable' : 'disable', id });
      return e.service;
    },
    replaceConfigServices(defs) {
      setConfig(defs);
      emit({ kind: 'config' });
    },
    setDefaults(d) {
      defaults = d;
      for (const [id, e] of api) api.set(id, { ...e, service: resolveServiceInput(e.input, d) });
      emit({ kind: 'defaults' });
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    loadErrors: () => loadErrors,
  };
}
