/**
 * Defect 2 of issue 12: /metrics latency for a valid user while bad basic-auth logins flood in.
 * Phase 1 (idle): one good /metrics scrape every 50 ms for DURATION s. Phase 2 (flood): the same scrapes while
 * RATE bad logins a second arrive, each with a fresh password, from 40 loopback addresses (127.0.0.10-49), so
 * neither the failure cache nor the per-address limit hides bcrypt: it measures where bcrypt runs.
 * Phase 3: the same flood from one address (the per-address limit answers 429 after 10 failures).
 *   node bench/auth-flood.ts [--main path/to/src/main.ts] [--seconds 15] [--rate 19]
 * Bounded: at most 3 × DURATION seconds, stops the sidecar by PID.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort, pct, sleep, startProc, waitHttp } from './lib.ts';
import { writeFileSync } from 'node:fs';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const main = arg('main', new URL('../src/main.ts', import.meta.url).pathname);
const seconds = Number(arg('seconds', '15'));
const rate = Number(arg('rate', '19'));

const dir = mkdtempSync(join(tmpdir(), 'pp-authflood-'));
const hash = bcrypt.hashSync('good-pass', 10);
writeFileSync(join(dir, 'alerts.yaml'), `sampling: { interval: 1s }\nstorage: { path: ${dir}/prodpulse.db }\nserver:\n  basic_auth_users: { prom: "${hash}" }\n`);
const port = await freePort();
const proc = startProc(process.execPath, [main, 'serve', '--config', join(dir, 'alerts.yaml'), '--listen', `127.0.0.1:${port}`], { cwd: dir, env: { LOG_LEVEL: 'warn' } });

const get = (user: string, pass: string, localAddress = '127.0.0.1'): Promise<{ status: number; ms: number }> =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/metrics', localAddress, agent: false, headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.setTimeout(10_000, () => req.destroy());
    req.end();
  });

async function phase(name: string, floodAddresses: number): Promise<Record<string, unknown>> {
  const until = Date.now() + seconds * 1000;
  const good: number[] = [];
  const codes: Record<string, number> = {};
  const flood = (async () => {
    if (floodAddresses === 0) return;
    let n = 0;
    const inflight: Promise<unknown>[] = [];
    while (Date.now() < until) {
      const addr = floodAddresses === 1 ? '127.0.0.1' : `127.0.0.${10 + (n % floodAddresses)}`;
      inflight.push(get('prom', `wrong-${n++}`, addr).then((r) => (codes[r.status] = (codes[r.status] ?? 0) + 1)));
      await sleep(1000 / rate);
    }
    await Promise.all(inflight);
  })();
  while (Date.now() < until) {
    const r = await get('prom', 'good-pass');
    if (r.status === 200) good.push(r.ms);
    await sleep(50);
  }
  await flood;
  const out = { phase: name, scrapes: good.length, p50: +pct(good, 50).toFixed(2), p99: +pct(good, 99).toFixed(2), max: +Math.max(...good).toFixed(2), floodStatuses: codes };
  console.log(JSON.stringify(out));
  return out;
}

try {
  await waitHttp(`http://127.0.0.1:${port}/health`, 20_000, 401).catch(() => undefined);
  await get('prom', 'good-pass'); // warm the success cache
  await phase('idle', 0);
  await phase(`flood ${rate}/s from 40 addresses`, 40);
  await phase(`flood ${rate}/s from 1 address`, 1);
} finally {
  await proc.stop();
}
