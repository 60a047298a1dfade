/**
 * The README's curl examples of the sidecar's API, copied literally, run against a real sidecar (server.token set
 * from PRODPULSE_TOKEN as in the shipped alerts.yaml), so an example a new user pastes works as written. Only the
 * address (localhost:9470) and the events file name are substituted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { fixturePath, missingFixture } from '../support/fixtures.ts';
import { startSidecar, type RunningSidecar } from '../support/sidecar-process.ts';

const run = promisify(execFile);
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const TOKEN = 'readme-example-token';
const EVENTS = 'peer-heartbeat-events.json';

/** every `curl …` line of the README's sh blocks that calls /analyze */
const analyzeExamples = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split('\n'))
  .map((l) => l.trim())
  .filter((l) => l.startsWith('curl ') && l.includes('/analyze'));

let sidecar: RunningSidecar | undefined;
before(async () => {
  if (missingFixture(EVENTS)) return;
  sidecar = await startSidecar({
    config: stringify({
      sampling: { interval: '1s', collectors: { cpu: false, load: false, memory: false, filesystem: false, disk: false, network: false, boot: false } },
      server: { token: '${PRODPULSE_TOKEN:-}' },
    }),
    env: { PRODPULSE_TOKEN: TOKEN },
  });
  await copyFile(fixturePath(EVENTS), join(sidecar.dir, 'events.json'));
});
after(async () => {
  await sidecar?.stop();
});

test('the README shows POST /analyze with curl', () => {
  assert.ok(analyzeExamples.length >= 2, `found ${analyzeExamples.length} curl examples of /analyze`);
});

test('every README curl example of POST /analyze works as written (the token from PRODPULSE_TOKEN)', { skip: missingFixture(EVENTS) }, async () => {
  const s = sidecar!;
  for (const example of analyzeExamples) {
    const cmd: string = example.replace(/#.*$/, '').replaceAll('http://localhost:9470', s.url);
    const { stdout }: { stdout: string } = await run('sh', ['-c', `${cmd} -sS -w '\\n%{http_code}'`], { cwd: s.dir, env: { ...process.env, PRODPULSE_TOKEN: TOKEN }, maxBuffer: 64 * 1024 * 1024 });
    const lines: string[] = stdout.trimEnd().split('\n');
    const status = lines.pop();
    assert.equal(status, '200', `${example}\n→ ${status} ${lines.join('\n')}`);
    const body = JSON.parse(lines.join('\n')) as { total_events: number; alerts_total: number };
    assert.equal(body.total_events, 29, example);
  }
});
