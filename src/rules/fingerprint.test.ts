import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertFingerprint } from './fingerprint.ts';

test('fingerprint is 16 hex chars and independent of label order', () => {
  const a = alertFingerprint('HighCpu', { instance: 'a', severity: 'critical' });
  const b = alertFingerprint('HighCpu', { severity: 'critical', instance: 'a' });
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(a, b);
});

test('fingerprint changes with the alert name or any label', () => {
  const base = alertFingerprint('HighCpu', { instance: 'a' });
  assert.notEqual(base, alertFingerprint('HighMem', { instance: 'a' }));
  assert.notEqual(base, alertFingerprint('HighCpu', { instance: 'b' }));
  assert.notEqual(base, alertFingerprint('HighCpu', { instance: 'a', extra: '' }));
  // no ambiguity from concatenation
  assert.notEqual(alertFingerprint('x', { ab: 'c' }), alertFingerprint('x', { a: 'bc' }));
});
