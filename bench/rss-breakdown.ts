/**
 * Evidence for target 4: what the sidecar's resident memory is made of. Each module is imported in a fresh
 * `node --expose-gc` process; after gc, VmRSS / RssAnon / RssFile and heapUsed are read. Baseline: bare node.
 * --npm-start: the children run as `npm start` runs the sidecar (NODE_COMPILE_CACHE=node_modules/.cache/prodpulse-compile,
 * --max-semi-space-size=4); run it twice, the first run warms the cache. Results: rss-breakdown[-npmstart].json.
 * Run: node bench/rss-breakdown.ts [--npm-start]
 */
import { execFileSync } from 'node:child_process';
import { NPM_START_COMPILE_CACHE, NPM_START_NODE_ARGS, writeResult } from './lib.ts';

const npmStart = process.argv.includes('--npm-start');

/** '(agreed stack)': every runtime dependency DESIGN.md agrees on, imported together, none of our code */
const STACK = ['hono', '@hono/node-server', 'prom-client', 'pino', 'zod', 'yaml', 'p-retry', 'node:sqlite'];
const MODULES = ['(bare node)', '(agreed stack)', 'hono', '@hono/node-server', 'prom-client', 'pino', 'zod', 'yaml', 'p-retry', 'node:sqlite', 'nodemailer', '@slack/web-api', 'systeminformation', '../src/config/schema.ts', '../src/notify/channels/index.ts', '../src/sidecar.ts', '../src/cli/serve.ts'];
const probe = (spec: string) => `
const spec = ${JSON.stringify(spec)};
if (spec === '(agreed stack)') { for (const m of ${JSON.stringify(STACK)}) await import(m); }
else if (spec !== '(bare node)') await import(spec.startsWith('.') ? new URL(spec, ${JSON.stringify(import.meta.url)}).href : spec);
await new Promise((r) => setTimeout(r, 300));
globalThis.gc(); globalThis.gc();
const s = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
const kb = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+)').exec(s)[1]);
const m = process.memoryUsage();
console.log(JSON.stringify({ rssMB: kb('VmRSS') / 1024, anonMB: kb('RssAnon') / 1024, fileMB: kb('RssFile') / 1024, heapUsedMB: m.heapUsed / 1048576, externalMB: m.external / 1048576 }));
process.exit(0);
`;
const rows: Record<string, unknown>[] = [];
for (const spec of MODULES) {
  const out = execFileSync(process.execPath, ['--expose-gc', ...(npmStart ? NPM_START_NODE_ARGS : []), '--input-type=module', '-e', probe(spec)], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
    env: npmStart ? { ...process.env, NODE_COMPILE_CACHE: NPM_START_COMPILE_CACHE } : process.env,
  });
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  const row = { module: spec, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 10) / 10])) };
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
writeResult(`rss-breakdown${npmStart ? '-npmstart' : ''}.json`, { command: `node bench/rss-breakdown.ts${npmStart ? ' --npm-start' : ''}`, rows });
