import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fieldsOf } from './analyze.ts';
import { JsonEventReader, JsonInputError, NotAnArrayError, Tag, type EventFields } from './json-events.ts';

/** What an element means, whether it came as bytes (raw range) or a value. */
function view(f: EventFields) {
  const str = (tag: number, start: number, end: number, s: string) => (tag === Tag.String ? (start >= 0 ? Buffer.from(f.bytes.subarray(start, end)).toString('latin1') : s) : undefined);
  return {
    isObject: f.isObject,
    service: f.isObject ? f.service : Tag.Absent,
    serviceStr: f.isObject ? str(f.service, f.serviceStart, f.serviceEnd, f.serviceStr) : undefined,
    timestamp: f.isObject ? f.timestamp : Tag.Absent,
    timestampStr: f.isObject ? str(f.timestamp, f.timestampStart, f.timestampEnd, f.timestampStr) : undefined,
    timestampNum: f.isObject && f.timestamp === Tag.Number ? f.timestampNum : undefined,
  };
}

/** Reads `text` split at the given cut points; returns the element views. */
function read(text: string | Buffer, cuts: number[] = []): ReturnType<typeof view>[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const out: ReturnType<typeof view>[] = [];
  const r = new JsonEventReader((i, f) => {
    assert.equal(i, out.length);
    out.push(view(f)); // the raw ranges are only valid during the call
  });
  let at = 0;
  for (const c of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    r.write(bytes.subarray(at, c));
    at = c;
  }
  r.write(bytes.subarray(at));
  r.end();
  return out;
}

const expected = (values: unknown[]) => values.map((v) => view(fieldsOf(v)));

test('elements, members and skipped values, in any chunking, equal JSON.parse (property)', () => {
  const member = fc.oneof(fc.string(), fc.constantFrom('2025-08-04T10:00:00Z', 'email', ''), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
  const element = fc.oneof(
    fc.record({ service: member, timestamp: member }, { requiredKeys: [] }),
    fc.record({ service: member, timestamp: member, extra: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['extra'] }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  fc.assert(
    fc.property(fc.array(element, { maxLength: 20 }), fc.constantFrom(0, 2, '\t'), fc.array(fc.nat(), { maxLength: 8 }), (values, indent, cuts) => {
      const text = JSON.stringify(values, null, indent);
      const parsed = JSON.parse(text) as unknown[]; // -0 → 0 and the like, as the reader sees them
      const len = Buffer.byteLength(text);
      assert.deepEqual(read(text, cuts.map((c) => c % (len + 1))), expected(parsed));
    }),
    { numRuns: 400 },
  );
});

test('byte by byte gives the same elements as one buffer', () => {
  const text = JSON.stringify([{ service: 'émail', timestamp: 1754301600.5, x: [1, { y: '"\\' }] }, 'x', { timestamp: 'a\u0000b', service: 'a\nb' }]);
  const cuts = Array.from({ length: Buffer.byteLength(text) }, (_, i) => i);
  assert.deepEqual(read(text, cuts), read(text));
  assert.deepEqual(read(text), expected(JSON.parse(text) as unknown[]));
});

test('escaped keys are recognized; a repeated key keeps the last value (as JSON.parse)', () => {
  const [a, b] = read('[{"serv\\u0069ce": "email", "timestamp": 1}, {"service": "a", "service": null, "timestamp": "x", "timestamp": 5}]');
  assert.equal(a!.service, Tag.String);
  assert.equal(a!.serviceStr, 'email');
  assert.equal(b!.service, Tag.Null);
  assert.equal(b!.timestamp, Tag.Number);
  assert.equal(b!.timestampNum, 5);
});

test('deep nesting in an ignored value does not overflow the stack', () => {
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  const out = read(`[{"service": "a", "timestamp": 1, "x": ${deep}}, ${deep}]`);
  assert.equal(out.length, 2);
  assert.equal(out[1]!.isObject, false);
});

test('invalid JSON is an error naming line and column; the reader accepts exactly what JSON.parse accepts (property)', () => {
  const cases: [string, RegExp][] = [
    ['', /unexpected end of input \(empty document\)/],
    ['[', /unexpected end of input/],
    ['[{"service": "a",}]', /unexpected '}' at line 1, column 18/],
    ['[\n  {"service": "a"}\n  {"service": "b"}\n]', /unexpected '\{' at line 3, column 3/],
    ['[1, 2] 3', /unexpected data after the end of the array/],
    ['[01]', /unexpected '1'/],
    ['["a\tb"]', /control character in string/],
    ['["\\x"]', /invalid escape/],
    ['[tru]', /unexpected '\]'/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => read(text), (e: unknown) => e instanceof JsonInputError && re.test(e.message), text);
  }
  assert.throws(() => read('{"service": "a"}'), NotAnArrayError);
  assert.throws(() => read(' "x"'), /must be an array of events, found a string/);

  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', ':', '0', 'x', '\\', ' '), fc.boolean(), (value, pos, ch, del) => {
      const valid = JSON.stringify([value]);
      const p = pos % (valid.length + 1);
      const text = del ? valid.slice(0, p) + valid.slice(p + 1) : valid.slice(0, p) + ch + valid.slice(p);
      let parsedOk: boolean;
      try {
        parsedOk = Array.isArray(JSON.parse(text));
      } catch {
        parsedOk = false;
      }
      let readerOk = true;
      try {
        read(text, [p]);
      } catch (e) {
        if (!(e instanceof JsonInputError || e instanceof NotAnArrayError)) throw e;
        readerOk = false;
      }
      assert.equal(readerOk, parsedOk, text);
    }),
    { numRuns: 2000 },
  );
});
