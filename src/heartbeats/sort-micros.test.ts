import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sortMicros } from './sort-micros.ts';

test('sortMicros equals the built-in numeric sort (property: short and long arrays, narrow and wide spans, duplicates)', () => {
  const time = fc.oneof(
    fc.integer({ min: 1_754_301_600, max: 1_754_301_600 + 7 * 86_400 }).map((s) => s * 1e6), // a week, whole seconds
    fc.integer({ min: 0, max: 2 ** 47 }).map((u) => 1.7e15 + u), // any µs within ~4 years
    fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), // wide: falls back
    fc.constant(1.7e15),
  );
  fc.assert(
    fc.property(fc.array(time, { minLength: 0, maxLength: 2000 }), (xs) => {
      const a = Float64Array.from(xs);
      sortMicros(a);
      assert.deepEqual(Array.from(a), Array.from(Float64Array.from(xs).sort()));
    }),
    { numRuns: 300 },
  );
});

test('the radix path itself (spans under 2^48 µs, at least 256 elements) equals the built-in sort (property)', () => {
  const narrow = fc.oneof(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 604_800 }).map((s) => s * 1e6));
  fc.assert(
    fc.property(fc.array(narrow, { minLength: 256, maxLength: 3000 }), fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (xs, base) => {
      const a = Float64Array.from(xs, (x) => base + x);
      const want = Array.from(Float64Array.from(a).sort());
      sortMicros(a);
      assert.deepEqual(Array.from(a), want);
    }),
    { numRuns: 200 },
  );
});

test('a large shuffled array', () => {
  const n = 50_000;
  const xs = Float64Array.from({ length: n }, (_, i) => 1.7e15 + (i * 7919) % n * 1e6 + (i % 3));
  const want = Float64Array.from(xs).sort();
  sortMicros(xs);
  assert.deepEqual(xs, want);
});
