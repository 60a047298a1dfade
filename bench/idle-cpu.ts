/**
 * Target 3: idle CPU of the sidecar process and its children: utime+stime+cutime+cstime (/proc/PID/stat fields
 * 14-17, CLK_TCK=100) over 60 s (QUICK=1: 20 s), nothing scraping, at the default 5 s interval and at 1 s.
 * The first 10 s after /metrics answers are skipped (startup, JIT). Also counts live child processes each second.
 * The sidecar runs with the `npm start` flags (compile cache, --max-semi-space-size=4) unless --plain-node is given.
 * Run: node bench/idle-cpu.ts [--seconds=60] [--plain-node]
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLK_TCK, NPM_START, QUICK, benchConfig, cpuTicks, schedMs, sleep, startSidecarProc, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const seconds = Number(arg('seconds') ?? (QUICK ? 20 : 60));

function children(pid: number): number {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
  } catch {
    return 0;
  }
}

const out: Record<string, unknown> = {};
for (const interval of ['5s', '1s']) {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-idle-'));
  // default config apart from the interval: no scraping during the window
  const sc = await startSidecarProc({ dir, npmStart: NPM_START, config: benchConfig(dir, interval) });
  try {
    await sleep(10_000);
    const a = cpuTicks(sc.pid);
    const sa = schedMs(sc.pid);
    let maxChildren = 0;
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      maxChildren = Math.max(maxChildren, children(sc.pid));
    }
    const b = cpuTicks(sc.pid);
    const sb = schedMs(sc.pid);
    const d = { utime: b.utime - a.utime, stime: b.stime - a.stime, cutime: b.cutime - a.cutime, cstime: b.cstime - a.cstime, total: b.total - a.total };
    const pctOfCore = (d.total / CLK_TCK / seconds) * 100;
    const threads = readdirSync(`/proc/${sc.pid}/task`).length;
    out[interval] = { seconds, ticks: d, pctOfOneCore: Math.round(pctOfCore * 1000) / 1000, schedstatMs: Math.round(sb - sa), schedstatPctOfOneCore: Math.round(((sb - sa) / 1000 / seconds) * 100 * 1000) / 1000, maxLiveChildren: maxChildren, threads, target: interval === '5s' ? '<= 0.3 %' : '<= 1 %' };
    process.stdout.write(`interval ${interval}: ${JSON.stringify(out[interval])}\n`);
  } finally {
    await sc.stop();
  }
}
writeResult('idle-cpu.json', { command: `node bench/idle-cpu.ts --seconds=${seconds}${NPM_START ? '' : ' --plain-node'}`, npmStartFlags: NPM_START, ...out });
