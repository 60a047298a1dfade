// Alerts end to end through the real sidecar process: a rule on a live host metric fires, Slack (loopback
// double of the Web API) and email (real SMTP server) receive it, /alerts shows it with per-channel records,
// silences need the token, reloads keep state or are rejected with FILE:LINE:COL, and no secret leaks.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/prometheus.ts';
import { startSidecar, type RunningSidecar } from '../support/sidecar-process.ts';
import { startSlackDouble, type SlackDouble } from '../support/slack-double.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const SLACK_TOKEN = 'xoxb-test-0123456789-secret';
const SMTP_PASS = 's3cret-pass-word';
const API_TOKEN = 'api-token-for-writes-1234';

function config(slack: SlackDouble, smtp: SmtpSink, extraRules = ''): string {
  return `
sampling: { interval: 300ms }
server: { token: "\${PRODPULSE_TOKEN}" }
storage: { path: ./data/prodpulse.db }
channels:
  slack: { type: slack, token: "\${SLACK_BOT_TOKEN}", channel: "#alerts", api_url: "${slack.url}" }
  mail: { type: email, url: "smtp://ops:\${SMTP_PASS}@127.0.0.1:${smtp.port}", from: prodpulse@example.com, to: [oncall@example.com] }
defaults: { channels: [slack, mail], repeat_interval: 4h }
rules:
  - alert: MemoryPresent
    metric: host_memory_total_bytes
    op: ">"
    threshold: 0
    severity: critical
    summary: "memory is {{ value | bytes }}"
${extraRules}`;
}

describe('alerting through the sidecar process', () => {
  let slack: SlackDouble;
  let smtp: SmtpSink;
  let sidecar: RunningSidecar;
  const env = { SLACK_BOT_TOKEN: SLACK_TOKEN, SMTP_PASS, PRODPULSE_TOKEN: API_TOKEN };

  before(async () => {
    slack = await startSlackDouble({ token: SLACK_TOKEN });
    smtp = await startSmtpSink({ user: 'ops', pass: SMTP_PASS });
    sidecar = await startSidecar({ config: config(slack, smtp), env });
  });
  after(async () => {
    await sidecar?.stop();
    await slack?.close();
    await smtp?.close();
  });

  test('a firing rule reaches Slack (Block Kit) and email (text + HTML) once each', async () => {
    await eventually(async () => slack.requests.length >= 1 && smtp.messages.length >= 1, 15_000, 'slack and email deliveries');
    const msg = slack.requests[0]!;
    assert.equal(msg.method, 'chat.postMessage');
    assert.equal(msg.body.channel, '#alerts');
    assert.match(JSON.stringify(msg.body.blocks), /MemoryPresent/);
    assert.match(JSON.stringify(msg.body.blocks), /critical/i);
    const mail = smtp.messages[0]!;
    assert.match(mail.parsed.subject ?? '', /^\[FIRING:1\] MemoryPresent/);
    assert.deepEqual(mail.to, ['oncall@example.com']);
    assert.ok(mail.parsed.text?.includes('memory is'), 'text part');
    assert.ok(typeof mail.parsed.html === 'string' && mail.parsed.html.includes('MemoryPresent'), 'HTML part');
    // a few more evaluations must not send it again (dedup)
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(slack.requests.length, 1);
    assert.equal(smtp.messages.length, 1);
  });

  test('GET /alerts lists the alert with a delivered record per channel and no secrets', async () => {
    const body = await (await fetch(`${sidecar.url}/alerts`)).text();
    const parsed = JSON.parse(body) as { active: { alert: string; state: string; notifications: { channel: string; status: string }[] }[]; history: { total: number } };
    const a = parsed.active.find((x) => x.alert === 'MemoryPresent');
    assert.equal(a?.state, 'firing');
    assert.deepEqual(a?.notifications.map((n) => `${n.channel}:${n.status}`).sort(), ['mail:delivered', 'slack:delivered']);
    assert.ok(parsed.history.total >= 1);
    const fp = (parsed.active.find((x) => x.alert === 'MemoryPresent') as unknown as { fingerprint: string }).fingerprint;
    const one = (await (await fetch(`${sidecar.url}/alerts/${fp}`)).json()) as { active: { state: string }; episodes: unknown[]; notifications: unknown[] };
    assert.equal(one.active.state, 'firing');
    assert.equal(one.episodes.length, 1);
    assert.equal(one.notifications.length, 2);
    assert.equal((await fetch(`${sidecar.url}/alerts/0000000000000000`)).status, 404);
    for (const secret of [SLACK_TOKEN, SMTP_PASS, API_TOKEN]) assert.ok(!body.includes(secret), 'no secret in /alerts');
    const metrics = await (await fetch(`${sidecar.url}/metrics`)).text();
    assert.match(metrics, /^prodpulse_alerts\{alertname="MemoryPresent",severity="critical",state="firing"\} 1$/m);
    assert.match(metrics, /^prodpulse_notifications_total\{channel="slack",outcome="delivered"\} 1$/m);
    const live = await (await fetch(`${sidecar.url}/metrics/live`)).text();
    for (const secret of [SLACK_TOKEN, SMTP_PASS, API_TOKEN]) {
      assert.ok(!metrics.includes(secret) && !live.includes(secret), 'no secret in /metrics or /metrics/live');
      assert.ok(!sidecar.output().includes(secret), 'no secret in the logs');
    }
  });

  test('silences: writes need the bearer token; bad input is a JSON 400', async () => {
    const silence = { matchers: [{ name: 'alertname', value: 'DiskGone' }], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'maintenance' };
    const noAuth = await fetch(`${sidecar.url}/silences`, { method: 'POST', body: JSON.stringify(silence), headers: { 'content-type': 'application/json' } });
    assert.equal(noAuth.status, 401);
    assert.match(((await noAuth.json()) as { error: string }).error, /token/);
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` };
    const bad = await fetch(`${sidecar.url}/silences`, { method: 'POST', body: JSON.stringify({ matchers: [] }), headers: auth });
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: string; details: { field: string }[] };
    assert.equal(badBody.error, 'invalid silence');
    assert.ok(badBody.details.some((d) => d.field === 'matchers'));
    const created = await fetch(`${sidecar.url}/silences`, { method: 'POST', body: JSON.stringify(silence), headers: auth });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    const listed = (await (await fetch(`${sidecar.url}/silences`)).json()) as { silences: { id: string; status: string }[] };
    assert.equal(listed.silences.find((s) => s.id === id)?.status, 'active');
    assert.equal((await fetch(`${sidecar.url}/silences/${id}`, { method: 'DELETE' })).status, 401);
    const expired = await fetch(`${sidecar.url}/silences/${id}`, { method: 'DELETE', headers: auth });
    assert.equal(expired.status, 200);
    assert.equal(((await expired.json()) as { status: string }).status, 'expired');
    assert.equal((await fetch(`${sidecar.url}/silences/nope`, { method: 'DELETE', headers: auth })).status, 404);
  });

  test('an invalid reload is rejected with FILE:LINE:COL and the running config keeps alerting', async () => {
    const good = await readFile(sidecar.configPath, 'utf8');
    await writeFile(sidecar.configPath, `${good}\n  - alert: Broken\n    metric: host_load1\n    op: "~"\n    threshold: 1\n`);
    process.kill(sidecar.pid, 'SIGHUP');
    await eventually(async () => /config reload rejected/.test(sidecar.output()), 5000, 'reload rejection log');
    assert.match(sidecar.output(), /alerts\.yaml:\d+:\d+: rules\[1\]\.op: /);
    // a reload invalidates the rendered exposition, so the next scrape shows it (src/sidecar.test.ts checks "at once")
    const metrics = await eventually(async () => {
      const m = await (await fetch(`${sidecar.url}/metrics`)).text();
      return /^prodpulse_config_last_reload_successful 0$/m.test(m) && m;
    }, 3000, 'reload failure metric');
    assert.match(metrics, /^prodpulse_alerts\{alertname="MemoryPresent",severity="critical",state="firing"\} 1$/m);
    await writeFile(sidecar.configPath, good);
  });

  test('a valid reload keeps the state of unchanged rules (no second notification) and adds new ones', async () => {
    const before = slack.requests.length;
    await writeFile(
      sidecar.configPath,
      config(slack, smtp, `  - alert: SwapTotalKnown\n    metric: host_swap_total_bytes\n    op: ">="\n    threshold: 0\n    severity: info\n    channels: [slack]\n`),
    );
    process.kill(sidecar.pid, 'SIGHUP');
    await eventually(async () => slack.requests.some((r) => JSON.stringify(r.body.blocks).includes('SwapTotalKnown')), 10_000, 'new rule notification');
    await new Promise((r) => setTimeout(r, 900));
    const after = slack.requests.slice(before);
    assert.equal(after.length, 1, `only the new rule notifies after reload, got ${after.length} messages`);
    assert.ok(!JSON.stringify(after[0]!.body.blocks).includes('MemoryPresent'));
    await eventually(async () => /^prodpulse_config_last_reload_successful 1$/m.test(await (await fetch(`${sidecar.url}/metrics`)).text()), 3000, 'reload success metric');
  });
});
