import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fixturePath, missingFixture } from '../../test/support/fixtures.ts';
import { analyzeEvents, analyzeJson, gapAlerts, INVALID_REASONS, type AnalyzeOptions } from './analyze.ts';
import { missedIntervals } from './missed.ts';
import { formatMicros, parseTimestampString } from './timestamps.ts';

const T = (hhmmss: string) => `2025-08-04T${hhmmss}Z`;
const ev = (service: string, timestamp: unknown) => ({ service, timestamp });
const alertsOf = (events: unknown[], o: AnalyzeOptions = {}) => analyzeEvents(events, o).alerts.map((a) => `${a.service} ${a.alert_at} ${a.missed_count} ${a.last_seen}`);

/**
 * The algorithm transcribed literally (per service: sort; last = first; for each next event: expected =
 * last + interval; while expected + tolerance < event: one more miss; at allowed_misses an alert, misses = 0,
 * last = expected; expected += interval; then the event resets). Times in microseconds.
 */
function referenceAlerts(events: { service: string; us: number }[], interval: number, allowed: number, tolerance: number, until?: number) {
  const byService = new Map<string, number[]>();
  for (const e of events) {
    if (!byService.has(e.service)) byService.set(e.service, []);
    byService.get(e.service)!.push(e.us);
  }
  const alerts: string[] = [];
  for (const [service, ts] of byService) {
    ts.sort((a, b) => a - b);
    let last = ts[0]!;
    let misses = 0;
    const silence = (at: number) => {
      let expected = last + interval;
      while (expected + tolerance < at) {
        misses++;
        if (misses === allowed) {
          alerts.push(`${service} ${formatMicros(expected)} ${misses} ${formatMicros(last)}`);
          misses = 0;
          last = expected;
        }
        expected += interval;
      }
    };
    for (const t of ts.slice(1)) {
      silence(t);
      misses = 0;
      last = t;
    }
    if (until !== undefined) silence(until);
  }
  return alerts;
}

describe('analyze: the shared fixture', () => {
  const name = 'peer-heartbeat-events.json';
  test('peer-heartbeat-events.json with interval 60 s, 3 allowed misses, no tolerance', { skip: missingFixture(name) }, () => {
    const r = analyzeJson(readFileSync(fixturePath(name)), { intervalSeconds: 60, allowedMisses: 3, toleranceSeconds: 0 });
    assert.equal(r.total_events, 29);
    assert.equal(r.valid_events, 26);
    assert.equal(r.invalid_events, 3);
    assert.deepEqual(r.invalid, [
      { index: 11, reason: 'missing_timestamp' },
      { index: 12, reason: 'invalid_timestamp_format' },
      { index: 13, reason: 'missing_service' },
    ]);
    assert.equal(r.invalid_by_reason.missing_service, 1);
    assert.equal(r.invalid_by_reason.missing_timestamp, 1);
    assert.equal(r.invalid_by_reason.invalid_timestamp_format, 1);
    assert.deepEqual(
      r.services.map((s) => [s.service, s.events, s.alerts]),
      [
        ['email', 9, 2],
        ['sms', 9, 2],
        ['push', 8, 3],
      ],
    );
    // Worked out by hand from the loop:
    // email 10:00 01 02 | 06 07 | 10 | 13 | 16 | 22: 10:02→10:06 misses 10:03 10:04 10:05 (alert at 10:05), 10:06 is not
    //   < 10:06; 10:07→10:10, →10:13, →10:16 two misses each; 10:16→10:22 alert at 10:19, then 10:20 10:21 (2).
    // sms (sorted) 10:00 02 03 04 06 07 08 12 16: 10:08→10:12 alert 10:11; 10:12→10:16 alert 10:15.
    // push 10:00 01 02 06 12 13 14 20: 10:02→10:06 alert 10:05; 10:06→10:12 alert 10:09 then 10:10 10:11 (2);
    //   10:14→10:20 alert 10:17.
    assert.deepEqual(
      r.alerts.map((a) => [a.service, a.alert_at, a.missed_count, a.last_seen]),
      [
        ['email', T('10:05:00'), 3, T('10:02:00')],
        ['email', T('10:19:00'), 3, T('10:16:00')],
        ['sms', T('10:11:00'), 3, T('10:08:00')],
        ['sms', T('10:15:00'), 3, T('10:12:00')],
        ['push', T('10:05:00'), 3, T('10:02:00')],
        ['push', T('10:09:00'), 3, T('10:06:00')],
        ['push', T('10:17:00'), 3, T('10:14:00')],
      ],
    );
    assert.equal(r.alerts_total, 7);
    assert.equal(r.alerts_truncated, false);
  });
});

describe('analyze: unit cases', () => {
  test('a near miss (two missed deadlines with allowed_misses 3) raises nothing', () => {
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:02:59'))]), []);
    // 10:00 → 10:03:30: deadlines 10:01, 10:02, 10:03 are all passed → alert at the third
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:03:30'))]), [`a ${T('10:03:00')} 3 ${T('10:00:00')}`]);
  });

  test('an event exactly on the third deadline is on time (strict comparison)', () => {
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:03:00'))]), []);
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', '2025-08-04T10:03:00.000001Z')]), [`a ${T('10:03:00')} 3 ${T('10:00:00')}`]);
  });

  test('unordered input is sorted per service', () => {
    const sorted = [ev('a', T('10:00:00')), ev('a', T('10:01:00')), ev('a', T('10:06:00')), ev('a', T('10:07:00'))];
    const shuffled = [sorted[2], sorted[0], sorted[3], sorted[1]];
    assert.deepEqual(alertsOf(shuffled), alertsOf(sorted));
    assert.deepEqual(alertsOf(shuffled), [`a ${T('10:04:00')} 3 ${T('10:01:00')}`]);
  });

  test('every malformed reason, first match wins, each with its index', () => {
    const events: unknown[] = [
      { timestamp: T('10:00:00') }, // 0 missing_service
      { service: 'a' }, // 1 missing_timestamp
      {}, // 2 missing_service wins over missing_timestamp
      { service: null, timestamp: T('10:00:00') }, // 3 empty_service
      { service: '', timestamp: 'garbage' }, // 4 empty_service wins over invalid_timestamp_format
      { service: 'a', timestamp: null }, // 5 empty_timestamp
      { service: 'a', timestamp: '' }, // 6 empty_timestamp
      { service: 'a', timestamp: 'not-a-real-timestamp' }, // 7 invalid_timestamp_format
      { service: 'Bad Name!', timestamp: 'nope' }, // 8 invalid_timestamp_format wins over invalid_service_format
      { service: 'Bad Name!', timestamp: T('10:00:00') }, // 9 invalid_service_format
      { service: 'x'.repeat(101), timestamp: T('10:00:00') }, // 10 invalid_service_format (too long)
      { service: 42, timestamp: T('10:00:00') }, // 11 invalid_service_format (not a string)
      'a string', // 12 unexpected_error
      null, // 13 unexpected_error
      [1, 2], // 14 unexpected_error
      { service: 'a', timestamp: true }, // 15 invalid_timestamp_format
      { service: '  Email  ', timestamp: T('10:00:00'), extra: { ignored: [1] } }, // 16 valid: "email"
      { service: 'a', timestamp: '2025-02-30T10:00:00Z' }, // 17 invalid_timestamp_format (no such day)
    ];
    const r = analyzeEvents(events);
    assert.equal(r.total_events, 18);
    assert.equal(r.valid_events, 1);
    assert.deepEqual(
      r.invalid.map((e) => `${e.index}:${e.reason}`),
      [
        '0:missing_service',
        '1:missing_timestamp',
        '2:missing_service',
        '3:empty_service',
        '4:empty_service',
        '5:empty_timestamp',
        '6:empty_timestamp',
        '7:invalid_timestamp_format',
        '8:invalid_timestamp_format',
        '9:invalid_service_format',
        '10:invalid_service_format',
        '11:invalid_service_format',
        '12:unexpected_error',
        '13:unexpected_error',
        '14:unexpected_error',
        '15:invalid_timestamp_format',
        '17:invalid_timestamp_format',
      ],
    );
    assert.deepEqual(r.invalid_by_reason, {
      missing_service: 2,
      missing_timestamp: 1,
      empty_service: 2,
      empty_timestamp: 2,
      invalid_timestamp_format: 4,
      invalid_service_format: 3,
      unexpected_error: 3,
    });
    assert.deepEqual(Object.keys(r.invalid_by_reason), [...INVALID_REASONS]);
    assert.deepEqual(r.services.map((s) => s.service), ['email']);
    // the same bytes through the streaming reader give the same answer
    const viaBytes = analyzeJson(Buffer.from(JSON.stringify(events)));
    assert.deepEqual({ ...viaBytes, duration_ms: 0 }, { ...r, duration_ms: 0 });
  });

  test('several services: names trimmed and lower-cased, reported in order of first appearance', () => {
    const r = analyzeEvents([
      ev('sms', 'x'), // invalid: does not count as an appearance
      ev('Push', T('10:00:00')),
      ev('sms', T('10:00:00')),
      ev(' push ', T('10:10:00')),
      ev('SMS', T('10:01:00')),
      ev('email', T('10:00:00')),
    ]);
    assert.deepEqual(r.services.map((s) => [s.service, s.events]), [
      ['push', 2],
      ['sms', 2],
      ['email', 1],
    ]);
    assert.deepEqual(r.alerts.map((a) => `${a.service} ${a.alert_at}`), [`push ${T('10:03:00')}`, `push ${T('10:06:00')}`, `push ${T('10:09:00')}`]);
  });

  test('recovery after an alert: the next event resets the count', () => {
    const a = alertsOf([ev('a', T('10:00:00')), ev('a', T('10:04:00')), ev('a', T('10:06:00')), ev('a', T('10:08:00'))]);
    // 10:00→10:04 alert at 10:03; 10:04→10:06 one miss (reset by the event); 10:06→10:08 one miss: no second alert
    assert.deepEqual(a, [`a ${T('10:03:00')} 3 ${T('10:00:00')}`]);
  });

  test('several alerts in one long gap: each counts from the previous alert deadline', () => {
    const a = alertsOf([ev('a', T('10:00:00')), ev('a', T('10:10:00'))], { allowedMisses: 3 });
    // deadlines 10:01…10:09 are missed (10:10 is not < 10:10): alerts at 10:03, 10:06, 10:09
    assert.deepEqual(a, [`a ${T('10:03:00')} 3 ${T('10:00:00')}`, `a ${T('10:06:00')} 3 ${T('10:03:00')}`, `a ${T('10:09:00')} 3 ${T('10:06:00')}`]);
  });

  test('exact boundaries with tolerance: deadline + tolerance == event is on time', () => {
    const o = { intervalSeconds: 60, allowedMisses: 1, toleranceSeconds: 10 };
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:01:10'))], o), []);
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:01:10.5'))], o), [`a ${T('10:01:00')} 1 ${T('10:00:00')}`]);
    // second deadline 10:02 + 10 s = 10:02:10: an event at 10:02:10 counts one miss only
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:02:10'))], o), [`a ${T('10:01:00')} 1 ${T('10:00:00')}`]);
    assert.deepEqual(alertsOf([ev('a', T('10:00:00')), ev('a', T('10:02:11'))], o), [`a ${T('10:01:00')} 1 ${T('10:00:00')}`, `a ${T('10:02:00')} 1 ${T('10:01:00')}`]);
  });

  test('offsets, a space for T, fractions, unzoned (UTC) and unix seconds mix in one service', () => {
    const r = analyzeEvents([
      ev('a', '2025-08-04T12:00:00+02:00'), // 10:00Z
      ev('a', '2025-08-04 10:01:00'), // unzoned = UTC
      ev('a', 1754301720), // 10:02Z as a number
      ev('a', '1754301780.5'), // 10:03:00.5Z as a numeric string
      ev('a', '2025-08-04T05:34:00.5-0530'), // 11:04:00.5Z
    ]);
    assert.equal(r.valid_events, 5);
    assert.equal(r.services[0]!.first_seen, T('10:00:00'));
    assert.equal(r.services[0]!.last_seen, '2025-08-04T11:04:00.500000Z');
    assert.equal(r.alerts_total, 20); // 10:03:00.5 → 11:04:00.5: 60 deadlines missed (11:04:00.5 is not < itself) → 20 alerts
    assert.deepEqual(r.alerts[0], { service: 'a', alert_at: '2025-08-04T10:06:00.500000Z', missed_count: 3, last_seen: '2025-08-04T10:03:00.500000Z' });
  });

  test('until catches the silence after the last event; without it nothing is reported', () => {
    const events = [ev('a', T('10:00:00')), ev('b', T('10:05:00'))];
    assert.deepEqual(alertsOf(events), []);
    const until = parseTimestampString(T('10:07:30'))!;
    assert.deepEqual(alertsOf(events, { untilMicros: until }), [`a ${T('10:03:00')} 3 ${T('10:00:00')}`, `a ${T('10:06:00')} 3 ${T('10:03:00')}`]);
    const r = analyzeEvents(events, { untilMicros: until });
    assert.equal(r.options.until, T('10:07:30'));
    // until before the last event adds nothing
    assert.deepEqual(alertsOf(events, { untilMicros: parseTimestampString(T('09:00:00'))! }), []);
  });

  test('a huge gap is counted without materializing every alert (maxAlerts)', () => {
    const r = analyzeEvents([ev('a', '1971-01-01T00:00:00Z'), ev('a', '2025-01-01T00:00:00Z')], { intervalSeconds: 1, allowedMisses: 1, maxAlerts: 5 });
    assert.equal(r.alerts.length, 5);
    assert.equal(r.alerts_truncated, true);
    assert.equal(r.alerts_total, (Date.UTC(2025, 0, 1) - Date.UTC(1971, 0, 1)) / 1000 - 1);
  });

  test('many distinct services: all counted, the list bounded (maxServicesListed)', () => {
    const events = Array.from({ length: 5000 }, (_, i) => ev(`svc-${i}`, 1_754_301_600 + i));
    const r = analyzeEvents(events, { maxServicesListed: 100 });
    assert.equal(r.services_total, 5000);
    assert.equal(r.services.length, 100);
    assert.equal(r.services[99]!.service, 'svc-99');
    assert.equal(r.valid_events, 5000);
  });

  test('options out of range are refused', () => {
    assert.throws(() => analyzeEvents([], { intervalSeconds: 0 }), /interval/);
    assert.throws(() => analyzeEvents([], { allowedMisses: 101 }), /allowed_misses/);
    assert.throws(() => analyzeEvents([], { allowedMisses: 1.5 }), /allowed_misses/);
    assert.throws(() => analyzeEvents([], { toleranceSeconds: -1 }), /tolerance/);
  });
});

describe('analyze: one missed-interval function for both drivers', () => {
  test('gapAlerts (missedIntervals) equals the issue while-loop over random gaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }), // interval s
        fc.integer({ min: 0, max: 600 }), // tolerance s
        fc.integer({ min: 1, max: 10 }), // allowed misses
        fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), // last, s
        fc.integer({ min: 0, max: 400 }), // gap in whole intervals
        fc.integer({ min: -2_000_000, max: 2_000_000 }), // and a µs jitter around the boundary
        (interval, tolerance, allowed, lastS, k, jitter) => {
          const I = interval * 1e6;
          const tol = tolerance * 1e6;
          const last = lastS * 1e6;
          const at = last + tol + k * I + jitter;
          if (at < last) return;
          const got: [number, number][] = [];
          const total = gapAlerts(last, at, I, tol, allowed, Infinity, (a, l) => got.push([a, l]));
          // the literal loop
          const want: [number, number][] = [];
          let l = last;
          let misses = 0;
          let missedAll = 0;
          let expected = last + I;
          while (expected + tol < at) {
            misses++;
            missedAll++;
            if (misses === allowed) {
              want.push([expected, l]);
              misses = 0;
              l = expected;
            }
            expected += I;
          }
          assert.deepEqual(got, want);
          assert.equal(total, want.length);
          assert.equal(missedIntervals(last, at, I, tol), missedAll);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('a live-style driver (a clock ticking after the last ping) alerts exactly when the analyzer places the alert', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 5 }), (interval, tolerance, allowed) => {
        const I = interval * 1e6;
        const tol = tolerance * 1e6;
        const last = 1_754_301_600 * 1e6;
        // live: the first whole second at which missedIntervals(last, now) reaches allowed
        let now = last;
        while (missedIntervals(last, now, I, tol) < allowed) now += 1e6;
        // analyze: an event at that instant closes a gap whose first alert is at last + allowed·interval
        const alerts: number[] = [];
        gapAlerts(last, now, I, tol, allowed, Infinity, (a) => alerts.push(a));
        assert.equal(alerts[0], last + allowed * I);
        // and one second earlier neither driver has anything
        assert.equal(gapAlerts(last, now - 1e6, I, tol, allowed, Infinity, () => {}), 0);
        assert.equal(now, last + allowed * I + tol + 1e6);
      }),
      { numRuns: 300 },
    );
  });

  test('whole analyses equal the literal transcription on random event sets (shuffled, several services, until)', () => {
    const event = fc.record({ service: fc.constantFrom('a', 'b', 'c'), offset: fc.integer({ min: 0, max: 4000 }) });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 90 }),
        fc.option(fc.integer({ min: 0, max: 6000 })),
        (events, interval, allowed, tolerance, untilOffset) => {
          const base = 1_754_301_600;
          const input = events.map((e) => ({ service: e.service, timestamp: base + e.offset }));
          const until = untilOffset === null ? undefined : (base + untilOffset) * 1e6;
          const got = alertsOf(input, { intervalSeconds: interval, allowedMisses: allowed, toleranceSeconds: tolerance, untilMicros: until });
          const want = referenceAlerts(
            events.map((e) => ({ service: e.service, us: (base + e.offset) * 1e6 })),
            interval * 1e6,
            allowed,
            tolerance * 1e6,
            until,
          );
          assert.deepEqual(got, want);
        },
      ),
      { numRuns: 500 },
    );
  });
});
