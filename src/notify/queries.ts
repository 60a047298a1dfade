import type { ActiveAlert } from '../rules/engine.ts';
import type { HistoryEntry, HistoryPage } from '../store/history-repo.ts';
import type { NotificationRecord } from '../store/notification-repo.ts';
import type { ChannelDescription } from './channels/index.ts';
import type { SilenceService } from './silences.ts';

export interface ChannelStatus extends ChannelDescription {
  name: string;
  active: boolean;
  inactiveReason?: string;
}

/**
 * What HTTP routes and the dashboard read about alerting, in one place: active alerts, history, notification
 * records, channels, silences and the delivery queue. Readers take this, not the notifier.
 */
export interface AlertQueries {
  active(): ActiveAlert[];
  channels(): ChannelStatus[];
  /** closed and open episodes, newest first, paged */
  history(limit: number, offset: number): HistoryPage;
  /** one alert's episodes, newest first */
  historyOf(fingerprint: string, limit?: number): HistoryEntry[];
  /** per channel: status, attempts, last error (redacted), delivered_at of this alert's latest notification */
  records(fingerprint: string): NotificationRecord[];
  /** silences and maintenance windows (list, mutedBy, matcherAt; create and expire for the write routes) */
  readonly silences: SilenceService;
  /** notifications waiting to be sent */
  queueDepth(): number;
}
