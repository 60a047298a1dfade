import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatMicros, MAX_MICROS, MIN_MICROS, parseTimestamp, parseTimestampString } from './timestamps.ts';

const us = (iso: string) => Date.parse(iso) * 1000;

test('ISO 8601 forms: Z, offsets, a space for T, fractions, unzoned = UTC, date only', () => {
  const base = us('2025-08-04T10:00:00Z');
  const cases: [string, number][] = [
    ['2025-08-04T10:00:00Z', base],
    ['2025-08-04t10:00:00z', base],
    ['2025-08-04 10:00:00Z', base],
    ['2025-08-04T10:00:00', base],
    ['2025-08-04 10:00:00', base],
    ['2025-08-04T10:00', base],
    ['2025-08-04T12:00:00+02:00', base],
    ['2025-08-04T12:00:00+0200', base],
    ['2025-08-04T12:00:00+02', base],
    ['2025-08-04T04:30:00-05:30', base],
    ['2025-08-04T10:00:00.5Z', base + 500_000],
    ['2025-08-04T10:00:00,25Z', base + 250_000],
    ['2025-08-04T10:00:00.123456Z', base + 123_456],
    ['2025-08-04T10:00:00.1234567Z', base + 123_456], // cut to µs
    ['2025-08-04T10:00:00.123+01:00', base - 3_600_000_000 + 123_000],
    ['  2025-08-04T10:00:00Z ', base],
    ['2025-08-04', us('2025-08-04T00:00:00Z')],
    ['2024-02-29T00:00:00Z', us('2024-02-29T00:00:00Z')],
    ['0001-01-01T00:00:00Z', MIN_MICROS],
  ];
  for (const [input, want] of cases) assert.equal(parseTimestampString(input), want, input);
});

test('unix seconds as a number or a numeric string', () => {
  assert.equal(parseTimestamp(1754301600), us('2025-08-04T10:00:00Z'));
  assert.equal(parseTimestamp(1754301600.25), us('2025-08-04T10:00:00Z') + 250_000);
  assert.equal(parseTimestamp('1754301600'), us('2025-08-04T10:00:00Z'));
  assert.equal(parseTimestamp('1754301600.5'), us('2025-08-04T10:00:00Z') + 500_000);
  assert.equal(parseTimestamp('1.7543016e9'), us('2025-08-04T10:00:00Z'));
  assert.equal(parseTimestamp(0), 0);
  assert.equal(parseTimestamp(-1), -1_000_000);
});

test('not timestamps', () => {
  for (const bad of [
    'not-a-real-timestamp',
    '2025-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-08-04T24:00:00Z',
    '2025-08-04T10:60:00Z',
    '2025-08-04T10:00:60Z',
    '2025-08-04T10:00:00.Z',
    '2025-08-04T10:00:00+25:00',
    '2025-08-04X10:00:00Z',
    '2025-08-04T10:00:00Zjunk',
    '0000-01-01T00:00:00Z',
    '2025-8-4T10:00:00Z',
    '１７５４３０１６００',
    'NaN',
    'Infinity',
    '1e400',
    '   ',
    '0x10',
  ]) {
    assert.equal(parseTimestampString(bad), undefined, bad);
  }
  for (const bad of [true, false, {}, [], Number.NaN, Number.POSITIVE_INFINITY, 1e20]) assert.equal(parseTimestamp(bad), undefined, String(bad));
});

test('formatMicros is UTC with …Z, microseconds only when present', () => {
  assert.equal(formatMicros(us('2025-08-04T10:00:00Z')), '2025-08-04T10:00:00Z');
  assert.equal(formatMicros(us('2025-08-04T10:00:00Z') + 5), '2025-08-04T10:00:00.000005Z');
  assert.equal(formatMicros(MIN_MICROS), '0001-01-01T00:00:00Z');
  assert.equal(formatMicros(MAX_MICROS - 999_999), '9999-12-31T23:59:59Z');
  assert.equal(formatMicros(-1), '1969-12-31T23:59:59.999999Z');
});

test('parse(format(t)) = t and agrees with Date (property; whole µs are exact within ±2^53, years 1685–2255)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -9_007_199_254_740, max: 9_007_199_254_739 }), fc.integer({ min: 0, max: 999 }), (ms, extraUs) => {
      const t = ms * 1000 + extraUs;
      assert.equal(parseTimestampString(formatMicros(t)), t);
      const d = new Date(ms);
      if (d.getUTCFullYear() >= 1000) assert.equal(parseTimestampString(d.toISOString()), ms * 1000);
    }),
    { numRuns: 2000 },
  );
});
