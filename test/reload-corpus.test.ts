/**
 * Reload with every broken config of the corpus: the reload is refused, the old config keeps running (its rule
 * keeps its firing alert, its token still opens writes), prodpulse_config_last_reload_successful drops to 0 and
 * the failure counter counts it; a good file afterwards brings the gauge back to 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, corpusPath } from './support/config-corpus.ts';
import { startInProc, TEST_TOKEN } from './support/sidecar-inproc.ts';

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
const gauge = (text: string) => /^prodpulse_config_last_reload_successful (\d)$/m.exec(text)?.[1];
const failures = (text: string) => Number(/^prodpulse_config_reloads_total\{result="failure"\} (\d+)$/m.exec(text)?.[1] ?? 0);

test('every broken config of the corpus is refused on reload; the old config keeps running; the gauge drops to 0', async (t) => {
  const good = (dir: string) => `sampling: { interval: 1h }\nstorage: { path: ${join(dir, 'pp.db')} }\nserver: { token: ${TEST_TOKEN} }\nrules:\n  - { alert: LoadSeen, metric: host_load1, op: ">", threshold: 0 }\n`;
  const app = await startInProc(undefined);
  t.after(() => app.stop());
  writeFileSync(app.configPath, good(app.dir));
  assert.equal((await app.sidecar.reload('test')).ok, true);
  await app.sidecar.alerting.evaluate([{ metric: 'host_load1', labels: {}, value: 1 }]);
  assert.equal(app.sidecar.alerting.active()[0]?.alert, 'LoadSeen');

  const classes = new Set<string>();
  let expectedFailures = failures(await scrape(app.url));
  for (const c of CORPUS) {
    copyFileSync(corpusPath(c), app.configPath);
    const r = await app.sidecar.reload(`corpus ${c.file}`);
    assert.equal(r.ok, false, c.file);
    expectedFailures += 1;
    const text = await scrape(app.url);
    assert.equal(gauge(text), '0', c.file);
    assert.equal(failures(text), expectedFailures, c.file);
    assert.deepEqual(app.sidecar.alerting.active().map((a) => a.alert), ['LoadSeen'], `${c.file}: the old rule keeps its alert`);
    classes.add(c.class);
  }
  // the old token still opens writes after all of it
  const w = await fetch(`${app.url}/silences`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(w.status, 400, 'authorised (400: the body is invalid), not 401');
  assert.ok(classes.size >= 10, `classes covered: ${[...classes].join(', ')}`);

  writeFileSync(app.configPath, good(app.dir));
  assert.equal((await app.sidecar.reload('test')).ok, true);
  assert.equal(gauge(await scrape(app.url)), '1');
});
