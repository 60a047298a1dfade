/**
 * Evidence for the RSS under 200 concurrent scrapers: the sidecar's own heap gauges (heapTotal vs heapUsed, from
 * its /metrics) idle, at the end of SECS seconds of load and 15 s after. V8 grows heapTotal far past what is used
 * unless the old space has a limit: pass node flags after the script name.
 *   SECS=30 node bench/heap-growth.ts [--max-old-space-size=128]
 */
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, mb, rssBytes, sleep, startSidecarProc } from './lib.ts';
const dir = mkdtempSync(join(tmpdir(), 'pp-mem-'));
const proc = await startSidecarProc({ config: benchConfig(dir, '5s'), dir, npmStart: true, nodeArgs: process.argv.slice(2) });
const agent = new Agent({ keepAlive: true, maxSockets: 200 });
const get = (path: string, a: Agent | false = agent) => new Promise<string>((res) => { const r = request({ host: '127.0.0.1', port: proc.port, path, agent: a }, (x) => { let b = ''; x.on('data', (d) => (b += d)); x.on('end', () => res(b)); }); r.on('error', () => res('')); r.end(); });
const stats = async (label: string) => { const m = await get('/metrics', false); const pick = (n: string) => Math.round(Number(new RegExp(`^${n}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(m)?.[1]) / 1048576); console.log(label, 'rss', mb(rssBytes(proc.pid)), 'heapTotal', pick('nodejs_heap_size_total_bytes'), 'heapUsed', pick('nodejs_heap_size_used_bytes'), 'external', pick('nodejs_external_memory_bytes')); };
await stats('idle');
const until = Date.now() + Number(process.env.SECS ?? 10) * 1000;
await Promise.all(Array.from({ length: 200 }, async () => { while (Date.now() < until) await get('/metrics'); }));
await stats('end');
agent.destroy();
await sleep(15000);
await stats('after15');
await proc.stop();
