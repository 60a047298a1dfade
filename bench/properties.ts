/**
 * The property suite of test/http-properties.test.ts at full size: RUNS (default 10 000) generated requests per
 * endpoint of test/support/endpoints.ts against an in-process sidecar on 127.0.0.1. Prints one JSON line per
 * endpoint and exits 1 on the first violation (with fast-check's counterexample and seed).
 *   node bench/properties.ts [--runs 10000] [--seed N]
 */
import { ENDPOINTS } from '../test/support/endpoints.ts';
import { checkEndpoint } from '../test/support/http-properties.ts';
import { startInProc, TEST_TOKEN } from '../test/support/sidecar-inproc.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const runs = Number(arg('runs', '10000'));
const seed = process.argv.includes('--seed') ? Number(arg('seed', '0')) : undefined;

const app = await startInProc();
let failed = false;
try {
  for (const spec of ENDPOINTS) {
    const t0 = performance.now();
    try {
      await checkEndpoint(app.url, spec, TEST_TOKEN, runs, seed);
      console.log(JSON.stringify({ endpoint: `${spec.method} ${spec.path}`, runs, ok: true, seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
    } catch (err) {
      failed = true;
      console.log(JSON.stringify({ endpoint: `${spec.method} ${spec.path}`, runs, ok: false, error: String((err as Error).message).slice(0, 2000) }));
      break;
    }
  }
  console.log(JSON.stringify({ rssMB: Math.round(process.memoryUsage().rss / 1048576) }));
} finally {
  await app.stop();
}
process.exit(failed ? 1 : 0);
