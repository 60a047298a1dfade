/** Shared helpers for the bench scripts: processes by PID, /proc readings, wrk output parsing, results files. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/support/free-port.ts';

export const QUICK = process.env.QUICK === '1';
/** QUICK=1 smoke runs write to results/quick/ so they never overwrite a full run's figures */
export const RESULTS = new URL(QUICK ? './results/quick/' : './results/', import.meta.url).pathname;
mkdirSync(RESULTS, { recursive: true });
export const CLK_TCK = 100;
export { freePort, sleep };

export function writeResult(name: string, data: unknown): void {
  writeFileSync(`${RESULTS}${name}`, typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
}
export function appendResult(name: string, line: string): void {
  appendFileSync(`${RESULTS}${name}`, line.endsWith('\n') ? line : `${line}\n`);
}

/** /proc/PID/stat fields 14..17 (utime, stime, cutime, cstime) in clock ticks. */
export function cpuTicks(pid: number): { utime: number; stime: number; cutime: number; cstime: number; total: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may hold spaces: split after the closing paren; the rest starts at field 3
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const f = (n: number) => Number(rest[n - 3]);
  const t = { utime: f(14), stime: f(15), cutime: f(16), cstime: f(17) };
  return { ...t, total: t.utime + t.stime + t.cutime + t.cstime };
}

/** CPU time of all threads of PID in ms from /proc/PID/task/TID/schedstat (ns, exact; not tick-sampled). */
export function schedMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // thread exited
    }
  }
  return ns / 1e6;
}

/** VmRSS in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
export const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

export interface Proc {
  pid: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM by PID, SIGKILL after 6 s */
  stop(): Promise<void>;
}

/** Starts a process we own; stopped by its PID only. */
export function startProc(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  let out = '';
  const keep = (c: Buffer) => {
    out += c.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, 'SIGTERM');
      const t = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }, 6000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function waitHttp(url: string, timeoutMs = 20_000, okStatus = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === okStatus) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not answering ${okStatus} within ${timeoutMs} ms`);
}

export interface WrkResult {
  command: string;
  reqPerSec: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
  requests: number;
  errors: string;
  raw: string;
}

const toMs = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[unit]!;

export async function runWrk(args: string[]): Promise<WrkResult> {
  const p = startProc('wrk', args);
  await new Promise<void>((r) => p.child.once('exit', () => r()));
  const raw = p.output();
  const lat = (q: string) => {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(raw);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(raw);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(raw);
  const reqs = /(\d+) requests in/.exec(raw);
  const errs = [...raw.matchAll(/^\s*(Socket errors:.*|Non-2xx.*)$/gm)].map((m) => m[1]).join('; ');
  return {
    command: `wrk ${args.join(' ')}`,
    reqPerSec: rps ? Number(rps[1]) : NaN,
    p50ms: lat('50'),
    p99ms: lat('99'),
    maxms: max ? toMs(max[1]!, max[2]!) : NaN,
    requests: reqs ? Number(reqs[1]) : NaN,
    errors: errs,
    raw,
  };
}

/** What `npm start` runs (package.json "start"): compile cache in node_modules/.cache, --max-semi-space-size=4 --max-old-space-size=192. */
export const NPM_START_COMPILE_CACHE = new URL('../node_modules/.cache/prodpulse-compile', import.meta.url).pathname;
export const NPM_START_NODE_ARGS = ['--max-semi-space-size=4', '--max-old-space-size=192'];
/** Scripts run the sidecar with the npm start flags unless given --plain-node. */
export const NPM_START = !process.argv.includes('--plain-node');
const warmed = new Set<string>();

/**
 * Starts `node [nodeArgs] src/main.ts serve` with this alerts.yaml; resolves once /metrics answers 200.
 * npmStart: as `npm start` does — NODE_COMPILE_CACHE=node_modules/.cache/prodpulse-compile (absolute: the sidecar
 * runs in its temp dir) and --max-semi-space-size=4 before nodeArgs; the first such start per node-argument set in
 * this bench process is a warm-up (started, answered /metrics, stopped, not measured), so the measured process
 * starts from a warm compile cache, like any start after the first.
 */
export async function startSidecarProc(opts: { config: string; dir: string; nodeArgs?: string[]; env?: Record<string, string>; npmStart?: boolean }): Promise<Proc & { url: string; port: number }> {
  const nodeArgs = [...(opts.npmStart ? NPM_START_NODE_ARGS : []), ...(opts.nodeArgs ?? [])];
  const env = { LOG_LEVEL: 'warn', NODE_ENV: 'production', ...(opts.npmStart ? { NODE_COMPILE_CACHE: NPM_START_COMPILE_CACHE } : {}), ...opts.env };
  if (opts.npmStart && !warmed.has(nodeArgs.join(' '))) {
    warmed.add(nodeArgs.join(' '));
    const w = await startSidecarProc({ ...opts, npmStart: false, nodeArgs, env: { ...env, BENCH_LAG_FILE: '' } });
    await w.stop();
    // the measured start gets a fresh database, as without the warm-up
    for (const f of ['data', 'prodpulse.db', 'prodpulse.db-wal', 'prodpulse.db-shm']) rmSync(`${opts.dir}/${f}`, { recursive: true, force: true });
  }
  const port = await freePort();
  const cfgPath = `${opts.dir}/alerts.yaml`;
  writeFileSync(cfgPath, opts.config);
  const main = new URL('../src/main.ts', import.meta.url).pathname;
  const p = startProc(process.execPath, [...nodeArgs, main, 'serve', '--config', cfgPath, '--listen', `127.0.0.1:${port}`], {
    cwd: opts.dir,
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/metrics`);
  } catch (e) {
    await p.stop();
    throw new Error(`${(e as Error).message}\n${p.output()}`);
  }
  return { ...p, url, port };
}

export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Parses an unlabelled sample out of a text exposition. */
export function sample(body: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([^\\s]+)`, 'm').exec(body);
  return m ? Number(m[1]) : NaN;
}

/**
 * The alerts.yaml the benches run: a realistic rule set (none fires except a canary), no channels. The database goes
 * to data/ beside alerts.yaml (the default layout); BENCH_DB_NEXT_TO_CONFIG=1 puts it in the watched config dir.
 */
export function benchConfig(dir: string, interval: string, extra = ''): string {
  return `sampling: { interval: ${interval} }
storage: { path: ${dir}/${process.env.BENCH_DB_NEXT_TO_CONFIG === '1' ? '' : 'data/'}prodpulse.db }
rules:
  - { alert: HostHighCpu, metric: host_cpu_usage_ratio, op: ">", threshold: 0.99, for: 2m, severity: critical }
  - { alert: HostMemory, metric: host_memory_used_ratio, op: ">", threshold: "99%", severity: warning }
  - { alert: DiskAlmostFull, metric: host_filesystem_used_ratio, op: ">", threshold: 0.999, clear: 0.99 }
  - { alert: Load, metric: host_load1, op: ">", threshold: 1000 }
  - { alert: Canary, metric: host_boot_time_seconds, op: ">", threshold: 0, severity: info }
${extra}`;
}
