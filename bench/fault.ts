/**
 * Fault bench (issue 12): the webhook channel is down for an outage while alerts fire and resolve; the sidecar is
 * SIGKILLed in the middle of the outage and restarted on the same data directory; the channel comes back (and,
 * with --second-kill, the sidecar is SIGKILLed again while the sink holds a request, so that kill lands mid-send);
 * the script waits until prodpulse_notification_queue_depth is 0 and reports expected / delivered / lost /
 * duplicates / time to drain.
 *
 * Time is NOT injected: the sidecar process has no knob for its retry schedule (deps.retry is in-process only;
 * DEFAULT_RETRY: a p-retry round of ~31 s, then laterMs 60 s, Retry-After can only lengthen it). The outage runs
 * in real time, --outage-seconds (default 60) instead of the 5 minutes; the retry rounds and the 60 s
 * deferral are the real ones.
 *
 * Alerts: N heartbeat jobs (fault0..faultN-1) and a rule `heartbeat_consecutive_failures > 0, for: 0s`; the script
 * flips each job between /fail and a success ping, so every flip is a firing or a resolved notification.
 * Expected notifications come from the last sidecar's GET /alerts history (a firing per episode, plus a resolved
 * per ended episode), compared with what the sink accepted, keyed by fingerprint + status + startsAt (second).
 *
 *   npx node bench/fault.ts [--outage-seconds=60] [--jobs=8] [--flip-ms=700] [--second-kill] [--drain-limit-seconds=240]
 *   QUICK=1: --outage-seconds=20 unless given
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { QUICK, sample, sleep, startSidecarProc, writeResult, type Proc } from './lib.ts';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : def;
};
const OUTAGE_S = arg('outage-seconds', QUICK ? 20 : 60);
const JOBS = arg('jobs', 8);
const FLIP_MS = arg('flip-ms', 700);
const DRAIN_LIMIT_S = arg('drain-limit-seconds', 240);
const SECOND_KILL = process.argv.includes('--second-kill');
/** how long the sink holds the first request after coming back when --second-kill (the kill lands inside it) */
const HOLD_MS = 1500;

interface SinkAlert {
  status: string;
  fingerprint: string;
  startsAt: string;
  labels: Record<string, string>;
}
interface Sink {
  server: Server;
  url: string;
  up: boolean;
  hold: boolean;
  refused: number;
  /** requests held open (for the mid-send kill); their bodies are NOT counted as delivered (the answer never reached the sidecar) */
  heldBodies: number;
  /** alerts in the held payloads: the only ones that may arrive twice */
  heldAlerts: number;
  heldPayloads: SinkAlert[][];
  received: Array<{ at: number; alerts: SinkAlert[] }>;
  onHeld?: () => void;
}

async function startSink(): Promise<Sink> {
  const sink: Sink = { server: createServer(), url: '', up: false, hold: false, refused: 0, heldBodies: 0, heldAlerts: 0, heldPayloads: [], received: [] };
  sink.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!sink.up) {
        sink.refused++;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('down for the fault bench');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: SinkAlert[] };
      if (sink.hold) {
        // the sidecar is killed while this request is open: the far end got the payload, the sender never saw a 200
        sink.hold = false;
        sink.heldBodies++;
        sink.heldAlerts += body.alerts.length;
        sink.heldPayloads.push(body.alerts);
        sink.received.push({ at: Date.now(), alerts: body.alerts });
        sink.onHeld?.();
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200).end('ok');
        }, HOLD_MS);
        return;
      }
      sink.received.push({ at: Date.now(), alerts: body.alerts });
      res.writeHead(200).end('ok');
    });
  });
  sink.server.listen(0, '127.0.0.1');
  await once(sink.server, 'listening');
  sink.url = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}/hook`;
  return sink;
}

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-fault-'));
const jobs = Array.from({ length: JOBS }, (_, i) => `fault${i}`);
const config = [
  'sampling:',
  '  interval: 200ms',
  '  collectors: { cpu: false, load: false, memory: true, filesystem: false, disk: false, network: false, boot: false }',
  `storage: { path: ${JSON.stringify(join(dir, 'data', 'prodpulse.db'))} }`,
  'channels:',
  '  hook: { type: webhook, url: SINK_URL }',
  'defaults: { channels: [hook], repeat_interval: 4h, send_resolved: true }',
  'heartbeats:',
  ...jobs.map((j) => `  - { service: ${j}, interval: 1h }`),
  'rules:',
  '  - alert: FaultJobFailing',
  '    metric: heartbeat_consecutive_failures',
  '    op: ">"',
  '    threshold: 0',
  '    for: 0s',
  '    severity: warning',
  '    summary: "{{ labels.service }} failing"',
  '',
].join('\n');

const sink = await startSink();
const cfg = config.replace('SINK_URL', JSON.stringify(sink.url));
const procs: Proc[] = [];
const kills: Array<{ at: string; sinceStartMs: number; queueDepthBefore: number; midSend: boolean }> = [];
const t0 = Date.now();
let sidecar!: Awaited<ReturnType<typeof startSidecarProc>>;

async function start(): Promise<void> {
  // startSidecarProc writes alerts.yaml again (same content) and keeps data/ (no npmStart warm-up, which wipes it)
  sidecar = await startSidecarProc({ config: cfg, dir, env: { LOG_LEVEL: 'warn' } });
  procs.push(sidecar);
}
async function queueDepth(): Promise<number> {
  try {
    const r = await fetch(`${sidecar.url}/metrics`);
    return sample(await r.text(), 'prodpulse_notification_queue_depth');
  } catch {
    return NaN;
  }
}
async function sigkill(midSend: boolean): Promise<void> {
  const depth = await queueDepth();
  const exited = once(sidecar.child, 'exit');
  process.kill(sidecar.pid, 'SIGKILL');
  await exited;
  kills.push({ at: new Date().toISOString(), sinceStartMs: Date.now() - t0, queueDepthBefore: depth, midSend });
  console.log(`SIGKILL pid ${sidecar.pid} at +${((Date.now() - t0) / 1000).toFixed(1)} s (queue depth ${depth}${midSend ? ', mid-send' : ''})`);
}

let pings = 0;
let pingErrors = 0;
async function ping(job: string, fail: boolean): Promise<void> {
  try {
    const r = await fetch(`${sidecar.url}/heartbeat/${job}${fail ? '/fail' : ''}`, { method: 'POST' });
    await r.arrayBuffer();
    if (r.status === 200) pings++;
    else pingErrors++;
  } catch {
    pingErrors++;
  }
}
/** flips every job fail → ok → fail … until `until` (ms epoch); ends with every job ok */
async function flipUntil(until: number, failing: Set<string>): Promise<void> {
  while (Date.now() < until) {
    for (const j of jobs) {
      const fail = !failing.has(j);
      await ping(j, fail);
      if (fail) failing.add(j);
      else failing.delete(j);
    }
    await sleep(FLIP_MS);
  }
}

let exitCode = 0;
try {
  await start();
  const failing = new Set<string>();
  const outageEnd = t0 + OUTAGE_S * 1000;
  const killAt = t0 + (OUTAGE_S * 1000) / 2;
  console.log(`outage ${OUTAGE_S} s (real time), ${JOBS} jobs flipping every ${FLIP_MS} ms, SIGKILL at +${OUTAGE_S / 2} s`);
  await flipUntil(killAt, failing);
  await sigkill(false);
  await start();
  await flipUntil(outageEnd - 3000, failing);
  // leave every job ok: all alerts resolve, and let a few evaluations record it
  for (const j of [...failing]) await ping(j, false);
  failing.clear();
  await sleep(Math.max(0, outageEnd - Date.now()));
  const outageMeasuredMs = Date.now() - t0;
  const depthAtComeBack = await queueDepth();
  const comeBack = Date.now();
  if (SECOND_KILL) {
    const held = new Promise<void>((r) => (sink.onHeld = r));
    sink.hold = true;
    sink.up = true;
    console.log(`sink up at +${((comeBack - t0) / 1000).toFixed(1)} s (queue depth ${depthAtComeBack}); waiting for a send to kill the sidecar inside it`);
    const limit = sleep(DRAIN_LIMIT_S * 1000).then(() => 'timeout' as const);
    if ((await Promise.race([held.then(() => 'held' as const), limit])) === 'held') {
      await sigkill(true);
      await start();
    } else {
      sink.hold = false;
    }
  } else {
    sink.up = true;
    console.log(`sink up at +${((comeBack - t0) / 1000).toFixed(1)} s (queue depth ${depthAtComeBack})`);
  }
  // drain: queue depth 0 on /metrics
  let drainedAt = NaN;
  while (Date.now() - comeBack < DRAIN_LIMIT_S * 1000) {
    const d = await queueDepth();
    if (d === 0) {
      drainedAt = Date.now();
      break;
    }
    await sleep(250);
  }
  await sleep(2000); // anything sent after the drain (there should be nothing) is counted too

  // expected: from the last sidecar's /alerts history (persisted in SQLite across the kills)
  type AlertsPage = {
    active: Array<{ fingerprint: string; firingSince: string | null; state: string }>;
    history: { total: number; items: Array<{ fingerprint: string; startsAt: string; endsAt: string | null }> };
  };
  const pageOf = async (offset: number): Promise<AlertsPage> => {
    const r = await fetch(`${sidecar.url}/alerts?limit=500&offset=${offset}`);
    if (r.status !== 200) throw new Error(`GET /alerts: ${r.status} ${await r.text()}`);
    return (await r.json()) as AlertsPage;
  };
  const a = await pageOf(0);
  while (a.history.items.length < a.history.total) {
    const next = await pageOf(a.history.items.length);
    if (next.history.items.length === 0) break;
    a.history.items.push(...next.history.items);
  }
  const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const expected = new Map<string, number>();
  for (const h of a.history.items) {
    expected.set(`${h.fingerprint}|firing|${sec(h.startsAt)}`, 1);
    if (h.endsAt) expected.set(`${h.fingerprint}|resolved|${sec(h.startsAt)}`, 1);
  }
  for (const x of a.active) if (x.state === 'firing' && x.firingSince) expected.set(`${x.fingerprint}|firing|${sec(x.firingSince)}`, 1);
  const got = new Map<string, number>();
  for (const p of sink.received) for (const al of p.alerts) {
    const k = `${al.fingerprint}|${al.status}|${sec(al.startsAt)}`;
    got.set(k, (got.get(k) ?? 0) + 1);
  }
  const lost = [...expected.keys()].filter((k) => !got.has(k));
  const unexpected = [...got.keys()].filter((k) => !expected.has(k));
  const dupKeys = [...got.entries()].filter(([, n]) => n > 1);
  const duplicates = dupKeys.reduce((s, [, n]) => s + n - 1, 0);
  const heldAlerts = sink.heldAlerts;
  const heldKeys = new Set(sink.heldPayloads.flat().map((al) => `${al.fingerprint}|${al.status}|${sec(al.startsAt)}`));
  /** duplicates outside the payload a kill landed in: not allowed */
  const duplicatesOutsideKilledSend = dupKeys.filter(([k]) => !heldKeys.has(k)).reduce((s, [, n]) => s + n - 1, 0);
  const result = {
    command: `npx node bench/fault.ts ${process.argv.slice(2).join(' ')}`.trim(),
    timeCompression: `none: real-time outage of ${OUTAGE_S} s (the sidecar process has no retry-schedule knob; DEFAULT_RETRY applies)`,
    outageSeconds: OUTAGE_S,
    outageMeasuredMs,
    jobs: JOBS,
    flipMs: FLIP_MS,
    /** every accepted ping flips a job (fail ↔ ok): one firing or resolved transition each */
    transitionsCaused: pings,
    pingsFailed: pingErrors,
    kills,
    sinkRefused503: sink.refused,
    queueDepthAtComeBack: depthAtComeBack,
    historyTotal: a.history.total,
    expected: expected.size,
    deliveredDistinct: [...got.keys()].filter((k) => expected.has(k)).length,
    deliveredTotal: [...got.values()].reduce((s, n) => s + n, 0),
    payloads: sink.received.length,
    lost: lost.length,
    lostKeys: lost.slice(0, 20),
    unexpected: unexpected.length,
    unexpectedKeys: unexpected.slice(0, 20),
    duplicates,
    duplicatesOutsideKilledSend,
    duplicateKeys: dupKeys.slice(0, 20).map(([k, n]) => `${k} ×${n}`),
    alertsInTheHeldPayload: heldAlerts,
    drainMs: Number.isNaN(drainedAt) ? null : drainedAt - comeBack,
    drained: !Number.isNaN(drainedAt),
    totalMs: Date.now() - t0,
  };
  console.log(JSON.stringify(result, null, 2));
  writeResult(`fault${SECOND_KILL ? '-second-kill' : ''}.json`, result);
  const dupOk = duplicatesOutsideKilledSend === 0 && duplicates <= heldAlerts;
  if (result.lost !== 0 || !result.drained || !dupOk || result.unexpected !== 0) {
    console.error(`FAIL: lost ${result.lost}, drained ${result.drained}, duplicates ${duplicates} (allowed ${heldAlerts}, outside the killed send ${duplicatesOutsideKilledSend}), unexpected ${result.unexpected}`);
    exitCode = 1;
  }
} catch (e) {
  console.error(e);
  for (const p of procs.slice(-1)) console.error(p.output().slice(-4000));
  exitCode = 1;
} finally {
  for (const p of procs) await p.stop();
  const closed = new Promise<void>((r) => sink.server.close(() => r()));
  sink.server.closeAllConnections();
  await closed;
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
