/**
 * What a channel would send for a group of events, as text, without sending (test-notify --dry-run): Slack's
 * chat.postMessage arguments as JSON, the email's headers and text part, the webhook body, Alertmanager's body.
 * Built by the same functions the channels send with. No secret is shown (only hosts of URLs).
 */
import type { ChannelConfig } from '../../config/schema.ts';
import type { AlertEvent } from '../types.ts';
import { postableAlerts } from './alertmanager.ts';
import { emailParts } from './email.ts';
import { safeHost } from './http-errors.ts';
import { DEFAULT_SLACK_API_URL, slackMessage } from './slack.ts';
import { webhookPayload } from './webhook.ts';

export async function previewChannel(name: string, cfg: ChannelConfig, events: readonly AlertEvent[], opts: { externalUrl: string; now: number }): Promise<string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  switch (cfg.type) {
    case 'slack':
      return `POST ${safeHost(cfg.api_url ?? DEFAULT_SLACK_API_URL)} chat.postMessage\n${json(slackMessage(cfg.channel, events, opts.externalUrl))}`;
    case 'email': {
      const { subject, text } = await emailParts(events, opts.externalUrl);
      return `SMTP ${cfg.url ? safeHost(cfg.url) : '(no url)'}\nFrom: ${cfg.from}\nTo: ${cfg.to.join(', ')}\nSubject: ${subject}\n\n${text}`;
    }
    case 'webhook':
      return `POST ${cfg.url ? safeHost(cfg.url) : '(no url)'}\n${json(webhookPayload(name, events, opts.externalUrl))}`;
    case 'alertmanager':
      return `POST ${cfg.url ? safeHost(cfg.url) : '(no url)'}/api/v2/alerts\n${json(postableAlerts(events, opts.now, cfg.resend_interval, opts.externalUrl))}`;
  }
}
