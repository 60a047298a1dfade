/**
 * Watching services, wired in one place: the registry (alerts.yaml and services files, read-only, plus services
 * created through the API, persisted), one probe source per enabled service, the probe history (batched writes,
 * rollups, retention) and the /services and /health routes. The sidecar builds it once and reloads it.
 */
import type { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { serviceDefinitions, type ServiceDefaults as ConfigServiceDefaults } from '../config/services.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Transition } from '../probes/incident.ts';
import { ServiceSources } from '../probes/service-sources.ts';
import type { ProbeResult, ServiceDefinition } from '../probes/types.ts';
import type { ScheduledSource } from '../sources/source.ts';
import type { Db } from '../store/db.ts';
import { createProbeHistoryRepo, type ProbeHistoryRepo, type ServiceEvent } from '../store/probe-history-repo.ts';
import { startProbeHistoryMaintenance, type Maintenance } from '../store/probe-history-maintenance.ts';
import { createServiceRegistryRepo } from '../store/service-registry-repo.ts';
import { serviceSummaries, servicesRoutes, type ServiceStatus } from '../http/routes/services.ts';
import { createServiceRegistry, type ServiceRegistry } from '../services/registry.ts';
import { probeSeedFromHistory, RESUME_CHECKS, RESUME_EVENTS } from './probe-resume.ts';
import { apiServiceDefaults } from '../services/service-input.ts';

export interface ServicesConfigPart {
  services: Parameters<typeof serviceDefinitions>[0]['services'];
  defaults: { services: ConfigServiceDefaults };
}

export interface ServicesDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** the status model's verdict for a service id */
  status: (id: string) => ServiceStatus;
  writeGuard: MiddlewareHandler;
  /** called after the set of probed services changed (the scheduler's source list must follow) */
  onSourcesChanged: () => void;
}

export interface Services {
  readonly registry: ServiceRegistry;
  readonly history: ProbeHistoryRepo;
  /** the probe sources of the enabled services */
  sources(): ScheduledSource[];
  /** the ids and definitions now probed */
  definitions(): ServiceDefinition[];
  latest(id: string): ProbeResult | undefined;
  /** the last 50 checks, oldest first, kept in memory (seeded from the history on first use) */
  lastChecks(id: string): { ok: boolean; latencyMs: number; timestamp: number }[];
  routes(app: Hono): void;
  /** GET /health's `services` */
  summaries(environment?: string): unknown[];
  applyConfig(config: ServicesConfigPart): void;
  start(): void;
  /** stops probing and writes the buffered history; call before closing the database */
  stop(): void;
}

/** A probe transition as a stored service event (history of down/up and version changes). */
export function eventOf(t: Transition): ServiceEvent {
  switch (t.kind) {
    case 'incident_open':
      return { serviceId: t.serviceId, timestamp: t.at, kind: 'down', from: null, to: null, detail: [t.reason, t.errorCode ?? t.errorMessage].filter(Boolean).join(': ') };
    case 'incident_close':
      return { serviceId: t.serviceId, timestamp: t.at, kind: 'up', from: null, to: null, detail: `${t.failedChecks} failed checks` };
    case 'version_change':
      return { serviceId: t.serviceId, timestamp: t.at, kind: 'version_change', from: t.from, to: t.to, detail: `${t.from} → ${t.to}` };
    case 'drift_start':
    case 'drift_end':
      return { serviceId: t.serviceId, timestamp: t.at, kind: t.kind, from: t.expected, to: t.found, detail: `expected ${t.expected}, found ${t.found ?? 'none'}` };
  }
}

export function createServices(config: ServicesConfigPart, deps: ServicesDeps): Services {
  const { clock, logger } = deps;
  const history = createProbeHistoryRepo(deps.db, { clock });
  const latest = new Map<string, ProbeResult>();
  const LAST = 50;
  const recent = new Map<string, { ok: boolean; latencyMs: number; timestamp: number }[]>();
  const recentOf = (id: string) => {
    let list = recent.get(id);
    if (!list) {
      list = history.lastChecks(id, LAST).map((c) => ({ ok: c.ok, latencyMs: c.latencyMs, timestamp: c.timestamp }));
      recent.set(id, list);
    }
    return list;
  };
  const probes = new ServiceSources({
    now: () => clock.now(),
    logger,
    onResult: (r, transitions) => {
      latest.set(r.serviceId, r);
      const list = recentOf(r.serviceId);
      list.push({ ok: r.ok, latencyMs: r.latencyMs, timestamp: r.timestamp });
      if (list.length > LAST) list.splice(0, list.length - LAST);
      history.record(r);
      for (const t of transitions) history.recordEvent(eventOf(t));
    },
  });
  const registry = createServiceRegistry({
    repo: createServiceRegistryRepo(deps.db),
    now: () => clock.now(),
    configServices: serviceDefinitions(config),
    defaults: apiServiceDefaults(config.defaults.services),
    onListenerError: (err) => logger.error({ err: { message: (err as Error).message } }, 'a services registry listener failed'),
  });
  for (const e of registry.loadErrors()) logger.warn({ service: e.id, issues: e.issues }, 'a stored service no longer validates; it is kept but not probed');
  const apply = () => {
    probes.apply(registry.enabled());
    for (const id of [...latest.keys()]) if (!registry.get(id)) latest.delete(id);
    for (const id of [...recent.keys()]) if (!registry.get(id)) recent.delete(id);
  };
  // at start, each service's probe state resumes from its history (an incident open at shutdown goes on)
  for (const def of registry.enabled()) {
    try {
      probes.states.seed(def.id, probeSeedFromHistory(def, history.lastChecks(def.id, RESUME_CHECKS), history.events(def.id, RESUME_EVENTS)));
    } catch (err) {
      logger.warn({ service: def.id, err: { message: (err as Error).message } }, 'could not resume the probe state from history; starting fresh');
    }
  }
  apply();
  registry.onChange(() => {
    apply();
    deps.onSourcesChanged();
  });
  let maintenance: Maintenance | undefined;
  const routeDeps = { registry, history, status: deps.status, latest: (id: string) => latest.get(id), writeGuard: deps.writeGuard, now: () => clock.now() };
  return {
    registry,
    history,
    sources: () => probes.all(),
    definitions: () => probes.definitions(),
    latest: (id) => latest.get(id),
    lastChecks: (id) => [...recentOf(id)],
    routes: (app) => servicesRoutes(app, routeDeps),
    summaries: (environment) => serviceSummaries(routeDeps, environment),
    applyConfig(c) {
      registry.setDefaults(apiServiceDefaults(c.defaults.services));
      registry.replaceConfigServices(serviceDefinitions(c));
    },
    start() {
      maintenance ??= startProbeHistoryMaintenance(history, { clock, logger });
    },
    stop() {
      probes.close();
      maintenance?.stop();
      maintenance = undefined;
    },
  };
}
