/**
 * What a channel would send for a group of events, as text, without sending (test-notify --dry-run): Slack's
 * chat.postMessage arguments as JSON, the email's headers and text part, the webhook body, Alertmanager's body.
 * Built by the same functions the channels send with. No secret is shown (only hosts of URLs).
 */
import type { ChannelConfig } from '../../config/schema.ts';
import type { AlertEvent } from '../types.ts';
import { channelKind } from './registry.ts';

export async function previewChannel(name: string, cfg: ChannelConfig, events: readonly AlertEvent[], opts: { externalUrl: string; now: number }): Promise<string> {
  return channelKind(cfg).preview(name, cfg, events, opts);
}
