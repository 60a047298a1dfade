/**
 * Every route file's API description, in one list: /openapi.json is built from it. A new route file adds its
 * `*.api.ts` list here (one line) and is documented, with its zod schemas, from then on.
 */
import { dashboardApi } from '../dashboard/dashboard.api.ts';
import { alertsApi } from '../routes/alerts.api.ts';
import { analyzeApi } from '../routes/analyze.api.ts';
import { healthApi } from '../routes/health.api.ts';
import { heartbeatApi } from '../routes/heartbeat.api.ts';
import { metricsApi } from '../routes/metrics.api.ts';
import { servicesApi } from '../routes/services.api.ts';
import { silencesApi } from '../routes/silences.api.ts';
import type { ApiOperation } from './registry.ts';

export const API_GROUPS: readonly (readonly ApiOperation[])[] = [metricsApi, healthApi, alertsApi, silencesApi, servicesApi, heartbeatApi, analyzeApi, dashboardApi];
