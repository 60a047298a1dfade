import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAnalyzeRunner } from './analyze-runner.ts';

const bytes = (events: unknown[]) => new TextEncoder().encode(JSON.stringify(events));

/** true when the event loop turned while `p` ran (a worker thread), false when it completed inline */
async function turnedWhile(start: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  setImmediate(() => (turned = true));
  await start();
  return turned;
}

test('a small body whose silence yields 100 000 alerts runs on the worker, not on the serving thread', async () => {
  const run = createAnalyzeRunner();
  // 200 bytes: two events 10 years apart at a 1 s interval → 315 million alerts counted, 100 000 listed
  const body = bytes([{ service: 'a', timestamp: 0 }, { service: 'a', timestamp: 315_360_000 }]);
  let result: Awaited<ReturnType<typeof run>> | undefined;
  const turned = await turnedWhile(async () => {
    result = await run(body, { intervalSeconds: 1, allowedMisses: 1, maxAlerts: 100_000 });
  });
  assert.equal(turned, true, 'the event loop turned while it ran (it blocked the thread serving /metrics for ~1 s per request)');
  assert.equal(result!.alerts_total, 315_359_999);
  assert.equal(result!.alerts.length, 100_000);
  assert.deepEqual(result!.alerts[0], { service: 'a', alert_at: '1970-01-01T00:00:01Z', missed_count: 1, last_seen: '1970-01-01T00:00:00Z' });
});

test('a small body with few alerts stays inline (no worker started)', async () => {
  const run = createAnalyzeRunner();
  const body = bytes([{ service: 'a', timestamp: 0 }, { service: 'a', timestamp: 600 }]);
  let alerts = 0;
  const turned = await turnedWhile(async () => {
    alerts = (await run(body, { intervalSeconds: 60, allowedMisses: 3, maxAlerts: 100_000 })).alerts_total;
  });
  assert.equal(turned, false);
  assert.equal(alerts, 3);
});
