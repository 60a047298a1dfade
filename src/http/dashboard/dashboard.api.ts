import { z } from 'zod';
import { errorSchema, type ApiOperation } from '../openapi/registry.ts';
import { FRAGMENTS } from './render.ts';

const html = z.string().describe('HTML');
const serviceId = z.object({ id: z.string().describe('service id') });

/** The dashboard's routes (src/http/dashboard/dashboard.ts) */
export const dashboardApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'dashboard',
    tag: 'dashboard',
    summary: 'The dashboard (HTML); with "Accept: application/json" (and not text/html) the endpoint index',
    query: z.object({ env: z.string().optional().describe('show only services of this environment') }),
    responses: {
      200: {
        description: 'the page (Content-Security-Policy: script-src self), or the endpoint index for JSON clients',
        contentType: 'text/html',
        schema: html,
      },
    },
  },
  {
    method: 'get',
    path: '/events',
    operationId: 'events',
    tag: 'dashboard',
    summary: 'Server-Sent Events: dashboard sections when they change, host points per sample',
    description:
      'Events: `fragment` {id, html} (a section re-rendered), `host` {t, cpu, memory, load1, swap, filesystems} per sample, `host-history` (on connect). ' +
      'A comment line every 15 s keeps the stream open; the stream ends when the sidecar stops.',
    responses: {
      200: { description: 'the event stream', contentType: 'text/event-stream', schema: z.string() },
      503: { description: 'too many streams, or shutting down', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/ui/services/{id}',
    operationId: 'servicePage',
    tag: 'dashboard',
    summary: "A service's page: latency chart with outages, events with durations",
    pathParams: serviceId,
    responses: { 200: { description: 'the page', contentType: 'text/html', schema: html }, 404: { description: 'unknown service', schema: errorSchema } },
  },
  {
    method: 'get',
    path: '/ui/services/{id}/data',
    operationId: 'servicePageData',
    tag: 'dashboard',
    summary: "A service page's live parts",
    pathParams: serviceId,
    responses: {
      200: {
        description: 'rendered sections and chart data',
        schema: z.object({
          status: z.enum(['HEALTHY', 'DEGRADED', 'DOWN', 'UNKNOWN']),
          summary: html,
          events: html,
          chart: z.object({ points: z.array(z.array(z.number().nullable())).describe('[seconds, latency ms when ok, latency ms when failed]') }),
        }),
      },
      404: { description: 'unknown service', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/ui/fragments/{id}',
    operationId: 'fragment',
    tag: 'dashboard',
    summary: 'One dashboard section, rendered',
    pathParams: z.object({ id: z.enum(FRAGMENTS) }),
    responses: {
      200: { description: 'the section', schema: z.object({ id: z.enum(FRAGMENTS), html }) },
      404: { description: 'unknown section', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/assets/{name}',
    operationId: 'asset',
    tag: 'dashboard',
    summary: 'Scripts and styles of the dashboard and /docs (uPlot, Swagger UI), served from this process',
    pathParams: z.object({ name: z.string() }),
    responses: {
      200: { description: 'the file', contentType: 'text/javascript', schema: z.string() },
      404: { description: 'no such asset', schema: errorSchema },
    },
  },
];
