/**
 * The ping handler checks its input by hand (the ingest fast path); the document describes those checks with
 * zod schemas. These tests hold the two together: what the schema accepts, the handler accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pingActionSchema, pushedMetricsSchema } from './heartbeat.api.ts';
import { parseAction, parsePushed } from './heartbeat.ts';

test('the action parameter schema accepts what parseAction accepts (and 256-999, which the handler refuses)', () => {
  const actions = ['start', 'fail', '0', '1', '09', '255', '256', '999', '1000', '-1', '1.5', 'x', 'START', 'success', ' 1', ''];
  for (const a of actions) {
    const handler = typeof parseAction(a) !== 'string';
    const documented = pingActionSchema.safeParse(a).success;
    if (/^\d{3}$/.test(a) && Number(a) > 255) {
      // a pattern cannot say "at most 255" cheaply; the parameter's description says it
      assert.equal(handler, false, a);
      assert.equal(documented, true, a);
    } else assert.equal(documented, handler, `action ${JSON.stringify(a)}: documented ${documented}, handler ${handler}`);
  }
});

test('the pushed metrics schema accepts exactly the JSON bodies parsePushed accepts', () => {
  const bodies: unknown[] = [
    { cpu: 50 },
    { cpu: 0, memory: 100, latency_ms: 0, error_rate: 1 },
    { cpu: 100.5 },
    { cpu: -0.1 },
    { memory: '50' },
    { memory: null },
    { latency_ms: -1 },
    { latency_ms: 1e12 },
    { error_rate: 1.01 },
    { error_rate: 0.5, note: 'extra keys are kept out of the metrics' },
    { message: 'no pushed fields: the body is the message' },
    {},
    { cpu: true },
  ];
  for (const b of bodies) {
    const p = parsePushed(b);
    const handler = !(p !== undefined && 'error' in p);
    assert.equal(pushedMetricsSchema.safeParse(b).success, handler, JSON.stringify(b));
  }
});
