import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixturePath, missingFixture } from '../../test/support/fixtures.ts';
import { analyzeCommand, defaultAnalyzeDeps, type AnalyzeCliDeps } from './analyze.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const FIXTURE = 'peer-heartbeat-events.json';
const dir = mkdtempSync(join(tmpdir(), 'prodpulse-analyze-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'analyze', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('node src/main.ts analyze', () => {
  test('the fixture: human summary (totals, invalid by reason with indexes, services, alerts, time)', { skip: missingFixture(FIXTURE) }, async () => {
    const r = await run(['--file', fixturePath(FIXTURE)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = r.stdout;
    assert.match(out, /^Heartbeat analysis \(interval 60s, allowed misses 3, tolerance 0s\)$/m);
    assert.match(out, /^Total events: +29$/m);
    assert.match(out, /^Valid events: +26$/m);
    assert.match(out, /^Invalid events: +3$/m);
    assert.match(out, /^ {2}missing_service: 1 \(index 13\)$/m);
    assert.match(out, /^ {2}missing_timestamp: 1 \(index 11\)$/m);
    assert.match(out, /^ {2}invalid_timestamp_format: 1 \(index 12\)$/m);
    assert.match(out, /^Services: +3 \(email, sms, push\)$/m);
    assert.match(out, /^Alerts: +7$/m);
    assert.match(out, /^ {2}email +2025-08-04T10:05:00Z {2}missed 3, last seen 2025-08-04T10:02:00Z$/m);
    assert.match(out, /^Processing time: [\d.]+ (ms|s)$/m);
  });

  test('--json prints only [{service, alert_at}] with …Z times; --output writes the full alerts', { skip: missingFixture(FIXTURE) }, async () => {
    const outFile = join(dir, 'alerts.json');
    const r = await run(['--file', fixturePath(FIXTURE), '--json', '--output', outFile, '--interval', '60', '--allowed-misses', '3', '--tolerance', '0']);
    assert.equal(r.code, 0, r.stderr);
    const alerts = JSON.parse(r.stdout) as { service: string; alert_at: string }[];
    assert.deepEqual(alerts, [
      { service: 'email', alert_at: '2025-08-04T10:05:00Z' },
      { service: 'email', alert_at: '2025-08-04T10:19:00Z' },
      { service: 'sms', alert_at: '2025-08-04T10:11:00Z' },
      { service: 'sms', alert_at: '2025-08-04T10:15:00Z' },
      { service: 'push', alert_at: '2025-08-04T10:05:00Z' },
      { service: 'push', alert_at: '2025-08-04T10:09:00Z' },
      { service: 'push', alert_at: '2025-08-04T10:17:00Z' },
    ]);
    const full = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, unknown>[];
    assert.equal(full.length, 7);
    assert.deepEqual(full[0], { service: 'email', alert_at: '2025-08-04T10:05:00Z', missed_count: 3, last_seen: '2025-08-04T10:02:00Z' });
  });

  test('options change the result; --quiet prints nothing; --until catches the trailing silence', async () => {
    const p = file('two.json', JSON.stringify([{ service: 'a', timestamp: '2025-08-04 10:00:00' }, { service: 'a', timestamp: '2025-08-04T12:02:00+02:00' }]));
    const r1 = await run(['--file', p, '--json', '--allowed-misses', '1', '--tolerance', '30']);
    assert.deepEqual(JSON.parse(r1.stdout), [{ service: 'a', alert_at: '2025-08-04T10:01:00Z' }]);
    const q = await run([p, '--quiet']);
    assert.equal(q.code, 0);
    assert.equal(q.stdout, '');
    const u = await run(['--file', p, '--json', '--until', '2025-08-04T10:05:30Z']);
    assert.deepEqual(JSON.parse(u.stdout), [{ service: 'a', alert_at: '2025-08-04T10:05:00Z' }]);
  });

  test('errors: missing file, invalid JSON, not an array → "Error: …" on stderr, exit 1', async () => {
    const missing = await run(['--file', join(dir, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: cannot read .*nope\.json: no such file$/m);
    assert.equal(missing.stdout, '');

    const bad = await run(['--file', file('bad.json', '[\n  {"service": "a", "timestamp": 1},\n  {"service": "a" "timestamp": 2}\n]')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: invalid JSON in .*bad\.json: unexpected '"' at line 3, column 19 \(byte \d+\)$/m);

    const obj = await run(['--file', file('obj.json', '{"events": []}')]);
    assert.equal(obj.code, 1);
    assert.match(obj.stderr, /^Error: .*obj\.json: the top-level JSON value must be an array of events, found an object$/m);

    const empty = await run(['--file', file('empty.json', '')]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^Error: invalid JSON/m);
  });

  test('bad options: "Error: …" naming the option, exit 2', async () => {
    for (const [args, re] of [
      [['--interval', '0'], /--interval must be a number of seconds from 1 to 86400/],
      [['--interval', '86401'], /--interval/],
      [['--allowed-misses', '101'], /--allowed-misses must be an integer from 1 to 100/],
      [['--allowed-misses', '2.5'], /--allowed-misses/],
      [['--tolerance=-1'], /--tolerance must be a number of seconds ≥ 0/],
      [['--until', 'someday'], /--until must be/],
      [['--bogus'], /Unknown option '--bogus'/],
      [[], /no events file/],
    ] as [string[], RegExp][]) {
      const r = await run(args.length === 0 ? [] : ['--file', join(dir, 'x.json'), ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^Error: /m);
      assert.match(r.stderr, re);
    }
  });

  test('a week of silence at a 1 s interval: 600 000 alerts are written by the real CLI (it died out of heap) and the summary says how many a file gets', async () => {
    const p = file('silence.json', JSON.stringify([{ service: 'a', timestamp: 0 }, { service: 'a', timestamp: 600_001 }]));
    const out = join(dir, 'silence-alerts.json');
    const w = await run(['--file', p, '-i', '1', '-m', '1', '--quiet', '--output', out]);
    assert.equal(w.code, 0, w.stderr.slice(0, 500));
    const text = readFileSync(out, 'utf8');
    assert.equal(text.match(/"alert_at"/g)?.length, 600_000);
    const h = await run(['--file', p, '-i', '1', '-m', '1']);
    assert.equal(h.code, 0, h.stderr.slice(0, 500));
    assert.match(h.stdout, /^Alerts: +600000$/m);
    assert.match(h.stdout, /^ {2}… 599950 more \(--output FILE writes them all\)$/m);
    const big = file('long-silence.json', JSON.stringify([{ service: 'a', timestamp: 0 }, { service: 'a', timestamp: 1_500_001 }]));
    const b = await run(['--file', big, '-i', '1', '-m', '1']);
    assert.equal(b.code, 0, b.stderr.slice(0, 500));
    assert.match(b.stdout, /^ {2}… 1499950 more \(--output FILE writes the first 1000000\)$/m, 'not "them all": the list stops at 1 000 000');
  });

  test('an empty array is fine: zero everything, exit 0', async () => {
    const r = await run(['--file', file('none.json', '[]')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Total events: +0$/m);
    assert.match(r.stdout, /^Alerts: +0$/m);
  });
});

describe('analyzeCommand in process', () => {
  test('progress goes to the terminal only for long runs and is cleared at the end', async () => {
    const chunks = Array.from({ length: 5 }, (_, i) => Buffer.from(i === 0 ? '[' : i === 4 ? '{"service":"a","timestamp":1}]' : '{"service":"a","timestamp":1},'));
    let t = 0;
    const progress: string[] = [];
    const deps: AnalyzeCliDeps = {
      ...defaultAnalyzeDeps,
      readChunks: (_p, onChunk) => chunks.forEach((c) => onChunk(c)),
      monotonic: () => (t += 600),
      progress: (s) => progress.push(s),
    };
    const out: string[] = [];
    const code = await analyzeCommand(['--file', 'x.json'], { stdout: (l) => out.push(l), stderr: (l) => out.push(`ERR ${l}`), env: {} }, deps);
    assert.equal(code, 0);
    assert.ok(progress.some((p) => /^\ranalyze: \d+ MB read, \d+ events…$/.test(p)), progress.join('|'));
    assert.equal(progress.at(-1), '\r\x1b[K');
    assert.ok(out.includes('Total events:   4'), out.join('|'));
  });
});
