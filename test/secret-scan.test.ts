/**
 * Secret scan: every secret the config can hold is set to a distinct marker; after failing deliveries (far ends
 * that echo the secrets back in their error bodies, straddling the 200-character cut) and then successful ones,
 * no 8-character piece of any marker may appear in the logs, any API answer (every GET endpoint of
 * test/support/endpoints.ts), /metrics, /metrics/live or the SQLite files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createLogger } from '../src/lib/logger.ts';
import { ENDPOINTS } from './support/endpoints.ts';
import { startInProc } from './support/sidecar-inproc.ts';
import { startSlackDouble } from './support/slack-double.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startWebhookSink } from './support/webhook-sink.ts';

const M = {
  token: 'Tk9serverTOKENmarkerQ1',
  basicPass: 'Bp7basicPASSmarkerW2',
  hookPass: 'Hp3hookUSERPASSmarkerE4',
  hookPath: 'Hx5hookPATHmarkerR6',
  hookQuery: 'Hq8hookQUERYmarkerT7',
  hookHeader: 'Hh2hookHEADERmarkerY9',
  slackToken: 'xoxb-Sl4slackTOKENmarkerU1',
  mailPass: 'Mp6mailPASSmarkerI3',
  amPass: 'Ap1amPASSmarkerO5',
};

function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}
function leaks(where: string, text: string): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(M)) {
    const hit = pieces(secret).find((p) => text.includes(p) || text.includes(encodeURIComponent(p)));
    if (hit) found.push(`${where}: ${name} (${hit}) at …${text.slice(Math.max(0, text.indexOf(hit) - 60), text.indexOf(hit) + 30)}…`);
  }
  return found;
}

test('no configured secret (or an 8-character piece of one) leaks after failing and succeeding deliveries', async (t) => {
  const hook = await startWebhookSink();
  const am = await startWebhookSink();
  const slack = await startSlackDouble();
  const smtp = await startSmtpSink({ user: 'mailer', pass: M.mailPass });
  t.after(async () => {
    // smtp-server's close waits for its client connections; the sidecar has gone, so do not wait long for it
    await Promise.all([hook.close(), am.close(), slack.close(), Promise.race([smtp.close(), new Promise((r) => setTimeout(r, 1000))])]);
  });
  const echo = `${'e'.repeat(180)} you sent ${M.hookPath} ${M.hookQuery} ${M.hookHeader} ${M.hookPass} ${M.slackToken} ${M.amPass}`;
  hook.script({ status: 500, body: echo }, { status: 500, body: echo });
  am.script({ status: 503, body: echo }, { status: 503, body: echo });
  slack.script({ kind: 'status', status: 500, body: echo }, { kind: 'status', status: 500, body: echo });
  smtp.failNext('mail', 451, `try later ${M.mailPass}`, 2);

  let logs = '';
  const destination = new Writable({
    write(chunk, _e, cb) {
      logs += String(chunk);
      cb();
    },
  });
  const hash = bcrypt.hashSync(M.basicPass, 4);
  const hookUrl = new URL(hook.url);
  const amUrl = new URL(am.url);
  const yaml = (dir: string) => `sampling: { interval: 1h }
storage: { path: ${join(dir, 'pp.db')} }
server:
  token: ${M.token}
  basic_auth_users: { prom: "${hash}" }
channels:
  hook: { type: webhook, url: "http://hookuser:${M.hookPass}@${hookUrl.host}/hooks/${M.hookPath}?k=${M.hookQuery}", headers: { X-Api-Key: ${M.hookHeader} } }
  slack: { type: slack, token: "${M.slackToken}", channel: "#c", api_url: "${slack.url}" }
  mail: { type: email, url: "smtp://mailer:${M.mailPass}@127.0.0.1:${smtp.port}", from: a@b.example, to: c@d.example }
  am: { type: alertmanager, url: "http://amuser:${M.amPass}@${amUrl.host}/" }
defaults: { channels: [hook, slack, mail, am] }
rules:
  - { alert: LoadSeen, metric: host_load1, op: ">", threshold: 0 }
`;
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'pp-secrets-'));
  writeFileSync(join(dir, 'alerts.yaml'), yaml(dir));
  const app = await startInProc(yaml(dir), {
    logger: createLogger({ destination: destination as never, level: 'debug' }),
    deps: { channelThread: false, retry: { retries: 1, minTimeout: 1, maxTimeout: 5, maxRetryTime: 2000, attemptTimeoutMs: 5000, laterMs: 300 } },
  });
  let stopped = false;
  t.after(() => (stopped ? undefined : app.stop()));
  const auth = { authorization: `Basic ${Buffer.from(`prom:${M.basicPass}`).toString('base64')}` };
  // a wrong password and a wrong token go through the logs and answers too
  await (await fetch(`${app.url}/alerts`, { headers: { authorization: `Basic ${Buffer.from(`prom:${M.basicPass}x`).toString('base64')}` } })).text();
  await (await fetch(`${app.url}/silences`, { method: 'POST', headers: { ...auth, 'x-prodpulse-token': `${M.token}x` }, body: '{}' })).text();

  await app.sidecar.alerting.evaluate([{ metric: 'host_load1', labels: {}, value: 2 }]);
  const fp = app.sidecar.alerting.active()[0]!.fingerprint;
  const deadline = Date.now() + 30_000;
  let records = app.sidecar.alerting.notifier.records(fp);
  while (Date.now() < deadline && !(records.length === 4 && records.every((r) => r.status === 'delivered'))) {
    await new Promise((r) => setTimeout(r, 100));
    records = app.sidecar.alerting.notifier.records(fp);
  }
  assert.deepEqual(records.map((r) => `${r.channel}:${r.status}`).sort(), ['am:delivered', 'hook:delivered', 'mail:delivered', 'slack:delivered']);
  assert.ok(records.some((r) => r.attempts > 1), 'deliveries failed first');

  const found: string[] = [];
  const silence = await fetch(`${app.url}/silences`, {
    method: 'POST',
    headers: { ...auth, 'x-prodpulse-token': M.token, 'content-type': 'application/json' },
    body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'Other' }], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'x' }),
  });
  const silenceId = ((await silence.json()) as { id: string }).id;
  for (const spec of ENDPOINTS.filter((e) => e.method === 'GET')) {
    const path = spec.path.replace(':fingerprint', fp).replace(':id', silenceId);
    const text = await (await fetch(`${app.url}${path}`, { headers: auth })).text();
    found.push(...leaks(`GET ${path}`, text));
  }
  found.push(...leaks('GET /metrics/live?history=10', await (await fetch(`${app.url}/metrics/live?history=10`, { headers: auth })).text()));
  stopped = true;
  await app.stop();
  found.push(...leaks('logs', logs));
  for (const f of ['pp.db', 'pp.db-wal']) {
    const p = join(app.dir, f);
    if (existsSync(p)) found.push(...leaks(`sqlite ${f}`, readFileSync(p).toString('latin1')));
  }
  assert.ok(logs.includes('notification attempt failed'), 'the failing attempts were logged');
  assert.deepEqual(found, []);
});
