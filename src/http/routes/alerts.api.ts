import { z } from 'zod';
import { errorSchema, type ApiOperation } from '../openapi/registry.ts';
import { pageQuery } from './alerts.ts';

const iso = z.iso.datetime({ offset: true });
const labels = z.record(z.string(), z.string());

export const notificationSchema = z
  .object({
    channel: z.string(),
    kind: z.enum(['firing', 'resolved']),
    status: z.enum(['pending', 'delivered', 'failed', 'silenced', 'none']),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('redacted'),
    notifiedAt: iso.nullable(),
    deliveredAt: iso.nullable(),
    outboxId: z.number().int().nullable(),
  })
  .meta({ id: 'Notification', description: "one channel's delivery state for an alert" });

export const activeAlertSchema = z
  .object({
    fingerprint: z.string(),
    alert: z.string(),
    state: z.enum(['pending', 'firing']),
    severity: z.enum(['info', 'warning', 'critical']),
    labels,
    annotations: labels,
    value: z.number(),
    threshold: z.number(),
    activeSince: iso,
    firingSince: iso.nullable(),
    silencedBy: z.string().nullable().describe('id of the silence or maintenance window muting it'),
    notifications: z.array(notificationSchema),
  })
  .meta({ id: 'ActiveAlert' });

export const episodeSchema = z
  .object({
    id: z.number().int(),
    fingerprint: z.string(),
    alert: z.string(),
    labels,
    annotations: labels,
    severity: z.string(),
    state: z.enum(['firing', 'resolved']),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    summary: z.string(),
    startsAt: iso,
    endsAt: iso.nullable(),
  })
  .meta({ id: 'AlertEpisode' });

const channelSchema = z
  .object({ name: z.string(), type: z.enum(['slack', 'email', 'webhook', 'alertmanager']), host: z.string(), channel: z.string().optional(), active: z.boolean(), inactiveReason: z.string().optional() })
  .meta({ id: 'ChannelStatus' });

/** GET /alerts and GET /alerts/{fingerprint} */
export const alertsApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/alerts',
    operationId: 'listAlerts',
    tag: 'alerts',
    summary: 'Active alerts, paginated history, channels and queue depth',
    query: pageQuery,
    responses: {
      200: {
        description: 'alert state',
        schema: z.object({
          active: z.array(activeAlertSchema),
          history: z.object({
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
            items: z.array(episodeSchema.extend({ notifications: z.array(notificationSchema) })),
          }),
          channels: z.array(channelSchema),
          queueDepth: z.number().int(),
        }),
      },
      400: { description: 'invalid query', schema: errorSchema },
    },
  },
  {
    method: 'get',
    path: '/alerts/{fingerprint}',
    operationId: 'getAlert',
    tag: 'alerts',
    summary: 'One alert: its current state, episodes and per-channel notifications (the link notifications carry)',
    pathParams: z.object({ fingerprint: z.string().describe('hash of alert name and labels') }),
    responses: {
      200: {
        description: 'the alert',
        schema: z.object({ fingerprint: z.string(), active: activeAlertSchema.nullable(), episodes: z.array(episodeSchema), notifications: z.array(notificationSchema) }),
      },
      404: { description: 'no alert with this fingerprint', schema: errorSchema },
    },
  },
];
