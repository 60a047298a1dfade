import assert from 'node:assert/strict';
import test from 'node:test';
import { missedIntervals } from './missed.ts';

test('missedIntervals counts deadlines strictly passed, with tolerance as grace', () => {
  assert.equal(missedIntervals(0, 60_000, 60_000, 0), 0, 'a ping exactly on the deadline is on time');
  assert.equal(missedIntervals(0, 60_001, 60_000, 0), 1);
  assert.equal(missedIntervals(0, 120_000, 60_000, 0), 1);
  assert.equal(missedIntervals(0, 180_001, 60_000, 0), 3);
  assert.equal(missedIntervals(0, 65_000, 60_000, 5_000), 0, 'within tolerance');
  assert.equal(missedIntervals(0, 65_001, 60_000, 5_000), 1);
  assert.equal(missedIntervals(1000, 500, 60_000, 0), 0, 'a clock step backwards is no miss');
  assert.throws(() => missedIntervals(0, 1, 0, 0), RangeError);
});
