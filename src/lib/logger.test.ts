import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

test('identical log lines past the limit are dropped per window, then counted on the next one', () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  let now = 0;
  const logger = createLogger({ destination: destination as never, level: 'info', repeats: { max: 3, windowMs: 1000, now: () => now } });
  for (let i = 0; i < 100; i++) logger.warn({ channel: 'hook', outboxId: 1, attempt: i, reason: 'http_503' }, 'notification attempt failed');
  logger.warn({ channel: 'other', outboxId: 2 }, 'notification attempt failed');
  logger.info('plain message');
  assert.equal(lines.filter((l) => l.channel === 'hook').length, 3);
  assert.equal(lines.filter((l) => l.channel === 'other').length, 1, 'different fields are a different line');
  now = 1500;
  logger.warn({ channel: 'hook', outboxId: 1, attempt: 101, reason: 'http_503' }, 'notification attempt failed');
  const last = lines.at(-1)!;
  assert.equal(last.repeatsSuppressed, 97);
  assert.equal(last.attempt, 101);
});
