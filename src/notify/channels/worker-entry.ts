/**
 * The channel worker thread (see remote.ts): builds the channels from their configs and runs their sends, so the
 * client libraries (@slack/web-api, nodemailer), message formatting and response parsing never hold the thread
 * that serves /metrics. Messages in: config, send, abort. Out: ready, result, log.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../../lib/logger.ts';
import type { ChannelConfig } from '../../config/schema.ts';
import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import { channelSecrets, createChannel } from './index.ts';
import { redactText } from '../../lib/redact.ts';
import type { FromWorker, ToWorker } from './remote.ts';

// run as a plain script (the Dockerfile does, to warm the compile cache) it loads its modules and does nothing
if (parentPort) serve(parentPort);

function serve(port: MessagePort): void {
  const post = (m: FromWorker) => port.postMessage(m);

  // log records go to the main thread's logger, which owns the destination and the redaction rules (channels
  // only call warn and error with an object and a message; pino itself is not loaded on this thread)
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void =>
      post({ type: 'log', level, obj: structuredCloneable(obj), ...(msg !== undefined ? { msg } : {}) });
  const logger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') } as unknown as Logger;

  let channels = new Map<string, Channel>();
  const inFlight = new Map<number, AbortController>();

  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'config': {
        const next = new Map<string, Channel>();
        for (const [name, cfg] of m.channels as [string, ChannelConfig][]) {
          try {
            const ch = createChannel(name, cfg, { logger, version: m.version, ...(m.externalUrl ? { externalUrl: m.externalUrl } : {}) });
            next.set(name, ch);
            ch.prepare?.().catch((err: unknown) => logger.warn({ channel: name, err: redactText((err as Error)?.message ?? String(err), channelSecrets(cfg)) }, 'channel library failed to load; the first send retries'));
          } catch (err) {
            logger.error({ channel: name, err: (err as Error).message }, 'channel unusable in the channel worker');
          }
        }
        channels = next;
        post({ type: 'ready', generation: m.generation });
        break;
      }
      case 'send': {
        const ch = channels.get(m.channel);
        const ac = new AbortController();
        inFlight.set(m.id, ac);
        const run = ch ? ch.send(JSON.parse(m.events) as AlertEvent[], ac.signal) : Promise.reject(new NotifyError(`channel ${m.channel} is not configured`, { recoverable: true, reason: 'unknown_channel' }));
        run.then(
          () => post({ type: 'result', id: m.id, ok: true }),
          (err: unknown) => {
            const e = err as Partial<NotifyError> & { message?: string };
            post({
              type: 'result',
              id: m.id,
              ok: false,
              error: {
                message: e?.message ?? String(err),
                notify: err instanceof NotifyError,
                recoverable: e?.recoverable ?? true,
                reason: e?.reason ?? 'error',
                ...(e?.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
              },
            });
          },
        ).finally(() => inFlight.delete(m.id));
        break;
      }
      case 'abort':
        inFlight.get(m.id)?.abort(new NotifyError('send aborted', { recoverable: true, reason: 'aborted' }));
        break;
    }
  });
}

/** A log object as plain data (errors become their message): postMessage cannot carry functions or class instances. */
function structuredCloneable(obj: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? { message: v.message } : v))) as Record<string, unknown>;
}
