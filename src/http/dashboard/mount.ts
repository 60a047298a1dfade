/**
 * One call for the sidecar: the dashboard (/, /ui/*, /events, /assets/*) and the API docs (/openapi.json, /docs).
 *
 *   const ui = mountDashboard({ store, alerting, clock, logger, version: VERSION, historyPoints, serverUrl });
 *   createHttpApp({ …, extraRoutes: [..., ...ui.routes] })   // after the JSON routes
 *   after each evaluation:  ui.evaluated()
 *   first thing in stop():  ui.close()                         // ends every SSE stream
 */
import type { Hono } from 'hono';
import type { AlertQueries } from '../../notify/queries.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';
import { API_GROUPS } from '../openapi/api-list.ts';
import { docsRoutes } from '../openapi/docs.ts';
import type { ApiOperation } from '../openapi/registry.ts';
import { createCoreViews, type CoreViews } from './core-views.ts';
import { createDashboard, type Dashboard } from './dashboard.ts';
import type { DemoPanel, HeartbeatViewSource, ServiceViewSource, TargetStatus } from './views.ts';

export interface MountDashboardDeps {
  store: SnapshotStore;
  alerting: AlertQueries;
  clock: Clock;
  logger: Logger;
  version: string;
  /** host points kept for the charts (sampling.history) */
  historyPoints?: number;
  services?: ServiceViewSource;
  heartbeats?: HeartbeatViewSource;
  /** the host's status from the status model */
  hostStatus?: () => TargetStatus | undefined;
  /** server.external_url, for the document's `servers` */
  serverUrl?: string;
  /** route descriptions beyond API_GROUPS */
  extraApi?: readonly (readonly ApiOperation[])[];
  maxClients?: number;
  /** demo mode only: the Demo panel of fault buttons */
  demo?: DemoPanel;
}

export interface MountedDashboard {
  routes: ((app: Hono) => void)[];
  views: CoreViews;
  dashboard: Dashboard;
  /** call after every rule evaluation */
  evaluated(): void;
  /** ends every SSE stream and stops listening; call first in stop() */
  close(): void;
}

export function mountDashboard(deps: MountDashboardDeps): MountedDashboard {
  const views = createCoreViews({
    store: deps.store,
    alerting: deps.alerting,
    clock: deps.clock,
    ...(deps.services ? { services: deps.services } : {}),
    ...(deps.heartbeats ? { heartbeats: deps.heartbeats } : {}),
    ...(deps.historyPoints !== undefined ? { historyPoints: deps.historyPoints } : {}),
    ...(deps.hostStatus ? { hostStatus: deps.hostStatus } : {}),
  });
  const dashboard = createDashboard({
    views,
    clock: deps.clock,
    logger: deps.logger,
    version: deps.version,
    ...(deps.maxClients !== undefined ? { maxClients: deps.maxClients } : {}),
    ...(deps.demo ? { demo: deps.demo } : {}),
  });
  const groups = [...API_GROUPS, ...(deps.extraApi ?? [])];
  return {
    routes: [dashboard.routes, (app) => docsRoutes(app, { version: deps.version, groups, ...(deps.serverUrl ? { serverUrl: deps.serverUrl } : {}) })],
    views,
    dashboard,
    evaluated: () => views.evaluated(),
    close() {
      dashboard.closeAll();
      views.close();
    },
  };
}
