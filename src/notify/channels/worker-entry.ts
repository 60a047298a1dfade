/**
 * The channel worker thread (see remote.ts): builds the channels from their configs and runs their sends, so the
 * client libraries (@slack/web-api, nodemailer), message formatting and response parsing never hold the thread
 * that serves /metrics. Messages in: config, send, abort. Out: ready, result, log.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ChannelConfig } from '../../config/schema.ts';
import type { AlertEvent, Channel } from '../types.ts';
import { NotifyError } from '../types.ts';
import { createChannel } from './index.ts';
import type { FromWorker, ToWorker } from './remote.ts';

// run as a plain script (the Dockerfile does, to warm the compile cache) it loads its modules and does nothing
if (parentPort) serve(parentPort);

function serve(port: MessagePort): void {
  const post = (m: FromWorker) => port.postMessage(m);

  // log lines go to the main thread's logger, which owns the destination and the redaction rules
  const logger = pino(
    { level: (workerData as { logLevel?: string } | undefined)?.logLevel ?? 'info', base: { name: 'prodpulse' } },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        post({ type: 'log', line: chunk.toString('utf8') });
        done();
      },
    }),
  );

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
            ch.prepare?.().catch((err: unknown) => logger.warn({ channel: name, err: (err as Error)?.message }, 'channel library failed to load; the first send retries'));
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
