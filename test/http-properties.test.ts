import { test } from 'node:test';
import { ENDPOINTS } from './support/endpoints.ts';
import { checkEndpoint } from './support/http-properties.ts';
import { startInProc, TEST_TOKEN } from './support/sidecar-inproc.ts';

/** bounded in npm test; bench/properties.ts runs ≥ 10 000 per endpoint */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);

test(`every endpoint, generated paths/queries/bodies (${RUNS} runs each): only 2xx/4xx JSON, never a 5xx or a hang`, async (t) => {
  const app = await startInProc();
  t.after(() => app.stop());
  for (const spec of ENDPOINTS) {
    await t.test(`${spec.method} ${spec.path}`, () => checkEndpoint(app.url, spec, TEST_TOKEN, RUNS));
  }
  // still serving after all of it
  const r = await fetch(`${app.url}/health`);
  if (r.status !== 200) throw new Error(`health ${r.status} after the run`);
});
