/**
 * Idle RSS of the sidecar under variants of node flags and environment, all started at once (RSS is not a timing
 * figure, so they may share the machine), each scraped once per second at 1 s sampling like soak.ts's idle phase.
 * Reports VmRSS, RssAnon, RssFile and the node binary's resident pages at the end.
 * Run: node bench/rss-variants.ts [--seconds=N] 'name|ENV=V ...|--flag ...' ...
 *   e.g. node bench/rss-variants.ts --seconds=120 'base||' 'arena2|MALLOC_ARENA_MAX=2|' 'maglev||--max-opt=2'
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, mb, sleep, startSidecarProc, writeResult } from './lib.ts';

const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 60);
const specs = process.argv.slice(2).filter((a) => !a.startsWith('--seconds='));
if (specs.length === 0) specs.push('base||');

function memOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  let hdr = '';
  let nodeFile = 0;
  for (const l of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-/.test(l)) hdr = l;
    else if (l.startsWith('Rss:') && /\/node$/.test(hdr)) nodeFile += Number(l.split(/\s+/)[1]) * 1024;
  }
  return { rss: mb(kb('VmRSS')), anon: mb(kb('RssAnon')), file: mb(kb('RssFile')), nodeBinary: mb(nodeFile), threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]) };
}

const procs = [];
for (const spec of specs) {
  const [name = 'base', envs = '', flags = ''] = spec.split('|');
  const env = Object.fromEntries(envs.split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const dir = mkdtempSync(join(tmpdir(), `prodpulse-rssv-${name}-`));
  const sc = await startSidecarProc({ dir, config: benchConfig(dir, '1s'), nodeArgs: flags.split(/\s+/).filter(Boolean), npmStart: true, env });
  procs.push({ name, env, flags, sc });
}
try {
  const t0 = Date.now();
  for (let i = 1; Date.now() - t0 < seconds * 1000; i++) {
    await Promise.all(procs.map(async (p) => (await fetch(`${p.sc.url}/metrics`)).arrayBuffer()));
    await sleep(Math.max(0, t0 + i * 1000 - Date.now()));
  }
  const rows = procs.map((p) => ({ name: p.name, env: p.env, flags: p.flags, seconds, ...memOf(p.sc.pid) }));
  for (const r of rows) process.stdout.write(`${r.name.padEnd(14)} rss ${r.rss} MB  anon ${r.anon}  file ${r.file} (node binary ${r.nodeBinary})  threads ${r.threads}\n`);
  writeResult('rss-variants.json', rows);
} finally {
  for (const p of procs) await p.sc.stop();
}
