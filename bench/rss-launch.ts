/**
 * Idle RSS of the serving process by launch path (issue 8, "every launch path is lean"): `npm start`,
 * `node src/main.ts serve`, the package's bin (`src/main.ts` run through its shebang), and the Docker image's
 * ENTRYPOINT + CMD with the image's environment (NODE_OPTIONS, NODE_COMPILE_CACHE, NODE_ENV=production).
 * Every path runs the shipped alerts.yaml with its database in a fresh temporary PRODPULSE_DATA, nothing scraping
 * but one GET /health to see it up. After --settle seconds (default 25) it reads VmRSS, RssAnon and RssFile of the
 * process that serves (for npm start: npm's descendant running src/cli/serve-main.ts). Paths are measured in
 * rounds (--rounds, default 3), one process at a time, after one unmeasured warm-up start per path (compile cache).
 *
 *   node bench/rss-launch.ts [--rounds=3] [--settle=25]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, mb, sleep, startProc, waitHttp, writeResult } from './lib.ts';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const ROUNDS = arg('rounds', 3);
const SETTLE_S = arg('settle', 25);
const REPO = new URL('..', import.meta.url).pathname;
const NODE_BIN = process.execPath.replace(/\/node$/, '');
const PATH = `${NODE_BIN}:${process.env.PATH}`;

interface LaunchPath {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

const PATHS: LaunchPath[] = [
  { name: 'npm start', cmd: 'npm', args: ['start', '--silent'] },
  { name: 'node src/main.ts serve', cmd: process.execPath, args: ['src/main.ts', 'serve'] },
  { name: 'bin (src/main.ts via its shebang)', cmd: join(REPO, 'src/main.ts'), args: ['serve'] },
  {
    name: 'Docker ENTRYPOINT+CMD (image env)',
    cmd: process.execPath,
    args: ['src/main.ts', 'serve'],
    env: { NODE_ENV: 'production', NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=192', NODE_COMPILE_CACHE: join(tmpdir(), 'prodpulse-rss-docker-cache') },
  },
];

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(VmRSS|RssAnon|RssFile|RssShmem):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
}

function descendants(pid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === pid) kids.push(Number(d), ...descendants(Number(d)));
    } catch {
      // gone
    }
  }
  return kids;
}

/** The process that serves: the one whose command line runs src/cli/serve-main.ts (after the re-exec). */
function servingPid(root: number): number {
  for (const p of [root, ...descendants(root)]) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('serve-main.ts')) return p;
    } catch {
      // gone
    }
  }
  throw new Error(`no serve-main.ts process under ${root}`);
}

async function once(p: LaunchPath, measure: boolean): Promise<Record<string, number> | undefined> {
  const data = mkdtempSync(join(tmpdir(), 'pp-rss-'));
  const port = await freePort();
  const proc = startProc(p.cmd, p.args, {
    cwd: REPO,
    env: { PATH, LOG_LEVEL: 'warn', PRODPULSE_DATA: data, PRODPULSE_LISTEN: `127.0.0.1:${port}`, ...p.env },
  });
  try {
    await waitHttp(`http://127.0.0.1:${port}/health`, 30_000);
    if (!measure) return undefined;
    await sleep(SETTLE_S * 1000);
    const pid = servingPid(proc.pid);
    return { pid, ...status(pid) };
  } finally {
    // npm start: stop the serving process itself too (npm forwards SIGTERM, but by PID is the rule)
    for (const pid of descendants(proc.pid).reverse()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    await proc.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

const results: Record<string, Record<string, number>[]> = {};
for (const p of PATHS) await once(p, false); // warm the compile caches, unmeasured
for (let r = 0; r < ROUNDS; r++) {
  for (const p of PATHS) {
    const s = (await once(p, true))!;
    (results[p.name] ??= []).push(s);
    console.log(`round ${r + 1} ${p.name}: VmRSS ${mb(s.VmRSS!)} MB (anon ${mb(s.RssAnon!)}, file ${mb(s.RssFile!)})`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    { medianVmRssMB: mb(median(rs.map((s) => s.VmRSS!))), maxVmRssMB: mb(Math.max(...rs.map((s) => s.VmRSS!))), medianAnonMB: mb(median(rs.map((s) => s.RssAnon!))), medianFileMB: mb(median(rs.map((s) => s.RssFile!))) },
  ]),
);
console.log(JSON.stringify({ settleSeconds: SETTLE_S, rounds: ROUNDS, node: process.version, commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim(), summary }, null, 2));
writeResult('rss-launch.json', { settleSeconds: SETTLE_S, rounds: ROUNDS, results, summary });
