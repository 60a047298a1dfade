import type { Db } from '../store/db.ts';
import { createOutboxRepo, type OutboxRow, type OutboxStatus } from '../store/outbox-repo.ts';
import { redactThenCut } from '../lib/redact.ts';
import type { AlertEvent } from './types.ts';

export type { OutboxRow } from '../store/outbox-repo.ts';

/**
 * The durable queue between the pipeline and the channels. A row is written before any send and stays pending
 * until delivered (or failed for good); every error text stored here is redacted first.
 */
export interface Outbox {
  enqueue(channel: string, events: AlertEvent[], now: number): number;
  head(channel: string): OutboxRow | undefined;
  get(id: number): OutboxRow | undefined;
  statusOf(id: number): OutboxStatus | undefined;
  pendingChannels(): string[];
  depth(): number;
  attempt(id: number, attempts: number, error?: string): void;
  delivered(id: number, at: number): void;
  failed(id: number, error: string): void;
  defer(id: number, nextAttemptAt: number, error: string): void;
  dueNow(now: number): number;
  prune(before: number): number;
}

/** rows whose events stay in memory from enqueue to delivery (the usual case: sent right after) */
const RECENT_ROWS = 16;

export function createOutbox(db: Db, secrets: () => Iterable<string> = () => []): Outbox {
  const repo = createOutboxRepo(db);
  const clean = (text: string) => redactThenCut(text, secrets(), 2000);
  // a row's events never change: the delivery loop takes them from here instead of parsing the stored payload
  // again (a thousand-alert payload is several milliseconds of JSON.parse on the serving thread)
  const recent = new Map<number, AlertEvent[]>();
  return {
    enqueue: (channel, events, now) => {
      const id = repo.insert(channel, events, now);
      recent.set(id, events);
      if (recent.size > RECENT_ROWS) recent.delete(recent.keys().next().value!);
      return id;
    },
    head: (channel) => repo.headPending(channel, (id) => recent.get(id)),
    get: (id) => repo.get(id),
    statusOf: (id) => repo.statusOf(id),
    pendingChannels: () => repo.pendingChannels(),
    depth: () => repo.countPending(),
    attempt: (id, attempts, error) => repo.setAttempts(id, attempts, error === undefined ? null : clean(error)),
    delivered: (id, at) => {
      recent.delete(id);
      repo.markDelivered(id, at);
    },
    failed: (id, error) => {
      recent.delete(id);
      repo.markFailed(id, clean(error));
    },
    defer: (id, next, error) => repo.defer(id, next, clean(error)),
    dueNow: (now) => repo.dueNow(now),
    prune: (before) => repo.prune(before),
  };
}
