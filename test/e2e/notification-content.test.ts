/**
 * Issue 13 acceptance: what a firing and a resolved notification say, through the real pipeline (rule engine →
 * notifier → SQLite outbox → delivery → channels) to the real SMTP server (smtp-server, read back by mailparser),
 * the Slack Web API double (spoken to by @slack/web-api) and a webhook receiver, all on loopback. Every message
 * names the host (the `instance` external label = the host name), shows values in the metric's unit, links to the
 * alert's page (served by the real HTTP route) and, once resolved, says how long it lasted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createAlerting, type Alerting } from '../../src/alerting.ts';
import { configSchema } from '../../src/config/schema.ts';
import { alertsRoutes } from '../../src/http/routes/alerts.ts';
import { listen, type Listening } from '../../src/http/server.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { MetricsRegistry } from '../../src/metrics/registry.ts';
import type { Reading } from '../../src/snapshot/snapshot.ts';
import { openDatabase } from '../../src/store/db.ts';
import { freePort } from '../support/free-port.ts';
import { startSlackDouble, type SlackDouble } from '../support/slack-double.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.ts';

const SLACK_TOKEN = 'xoxb-4444-5555-ContentTestToken';
const HOST = 'web-1';
const AVAILABLE = 25_276_510_208; // 23.54 GiB

interface SlackBlockLike { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }

function readings(cpuAll: number, available: number): Reading[] {
  return [
    { metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: cpuAll },
    { metric: 'host_cpu_usage_ratio', labels: { cpu: '0' }, value: cpuAll + 0.0079 },
    { metric: 'host_cpu_usage_ratio', labels: { cpu: '1' }, value: cpuAll - 0.0079 },
    { metric: 'host_memory_available_bytes', labels: {}, value: available },
  ];
}

describe('notification content through the real pipeline', () => {
  let slack: SlackDouble;
  let smtp: SmtpSink;
  let hook: WebhookSink;
  let http: Listening;
  let alerting: Alerting;
  let port: number;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));

  before(async () => {
    slack = await startSlackDouble({ token: SLACK_TOKEN, channels: ['#alerts'] });
    smtp = await startSmtpSink({ user: 'ops', pass: 'smtp-pass-123' });
    hook = await startWebhookSink();
    port = await freePort();
    const config = configSchema.parse({
      channels: {
        slack: { type: 'slack', token: SLACK_TOKEN, channel: '#alerts', api_url: slack.url },
        mail: { type: 'email', url: smtp.url, from: 'prodpulse@example.com', to: ['oncall@example.com'] },
        hook: { type: 'webhook', url: `${hook.url}/hook` },
      },
      defaults: { channels: ['slack', 'mail', 'hook'] },
      rules: [
        { alert: 'HostMemoryLeft', metric: 'host_memory_available_bytes', op: '>', threshold: 1_073_741_824, severity: 'warning', summary: '{{ value | bytes }} available on {{ labels.instance }}' },
        { alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: '20%', severity: 'critical', summary: 'CPU {{ labels.cpu }} at {{ value | percent }} on {{ labels.instance }}' },
      ],
    });
    alerting = createAlerting(config, { db: openDatabase(':memory:'), clock, logger: silentLogger(), metrics: new MetricsRegistry({ version: 't', revision: 't', nodeVersion: 't' }), hostname: HOST, listenPort: port });
    const app = new Hono();
    alertsRoutes(app, alerting);
    http = await listen(app, { host: '127.0.0.1', port });
    alerting.start();
  });
  after(async () => {
    await alerting?.stop();
    await Promise.all([http?.close(0), slack?.close(), smtp?.close(), hook?.close()]);
  });

  test('firing: subject, Slack header and webhook labels name the instance; values in units; links point at the alert', async () => {
    assert.equal(alerting.externalUrl(), `http://${HOST}:${port}`, 'default external URL: http://<host name>:<port>');
    await alerting.evaluate(readings(0.2421, AVAILABLE));
    await alerting.notifier.flush();
    const fps = new Map(alerting.active().map((a) => [`${a.alert}/${a.labels.cpu ?? ''}`, a.fingerprint]));
    const memFp = fps.get('HostMemoryLeft/')!;
    const cpuAllFp = fps.get('HostHighCpu/all')!;

    // email: subject, text and HTML part
    assert.equal(smtp.messages.length, 1, 'one mail for the group');
    const mail = smtp.messages[0]!.parsed;
    assert.equal(mail.subject, `[FIRING:4] HostHighCpu, HostMemoryLeft on ${HOST}`, 'critical first, host named');
    const text = mail.text ?? '';
    assert.match(text, /^FIRING HostHighCpu \(critical\): 3 alerts by cpu: 0, 1, all$/m, 'one block for the three CPUs');
    assert.match(text, /^  cpu=all: 24\.2% · /m);
    assert.match(text, /^FIRING HostMemoryLeft \(warning\): 23\.54 GiB available on web-1\n  value: 23\.54 GiB \(threshold 1 GiB\)$/m);
    assert.ok(text.includes(`  alert: http://${HOST}:${port}/alerts/${memFp}`), text);
    assert.ok(text.includes(`  silence: http://${HOST}:${port}/?silence=${memFp}`), text);
    assert.ok(text.indexOf('HostHighCpu') < text.indexOf('HostMemoryLeft'), 'critical before warning');
    const html = typeof mail.html === 'string' ? mail.html : '';
    assert.ok(html.includes(`href="http://${HOST}:${port}/alerts/${memFp}"`), 'HTML links to the alert');
    assert.ok(html.includes(`href="http://${HOST}:${port}/alerts/${cpuAllFp}"`), 'HTML links each CPU row to its alert');
    assert.ok(html.includes('23.54 GiB') && html.includes('24.2%'));

    // Slack: header, values, links
    const post = slack.requests.filter((r) => r.method === 'chat.postMessage');
    assert.equal(post.length, 1);
    const blocks = post[0]!.body.blocks as SlackBlockLike[];
    assert.equal(blocks[0]!.text!.text, `[FIRING:4] HostHighCpu, HostMemoryLeft on ${HOST}`);
    const sections = blocks.filter((b) => b.type === 'section');
    assert.equal(sections.length, 2, 'CPU 0, 1 and all in one section, memory in another');
    assert.match(sections[0]!.text!.text, /^:red_circle: \*HostHighCpu\* on web-1 — 3 alerts by \*cpu\*\n/);
    assert.ok(sections[0]!.text!.text.includes(`• <http://${HOST}:${port}/alerts/${cpuAllFp}|cpu=all>: *24.2%*`), sections[0]!.text!.text);
    assert.ok(sections[1]!.fields!.some((f) => f.text === '*Value*\n23.54 GiB (threshold 1 GiB)'), JSON.stringify(sections[1]!.fields));
    const contexts = blocks.filter((b) => b.type === 'context').map((b) => b.elements![0]!.text);
    assert.ok(contexts.some((c) => c.includes(`<http://${HOST}:${port}/alerts/${memFp}|View alert>`) && c.includes(`<http://${HOST}:${port}/?silence=${memFp}|Silence>`)), contexts.join('\n'));

    // webhook: labels carry the instance, annotations the raw numbers, generatorURL the alert's page
    const body = hook.requests.at(-1)!.json as { commonLabels: Record<string, string>; alerts: { labels: Record<string, string>; annotations: Record<string, string>; generatorURL: string; fingerprint: string }[] };
    assert.equal(body.commonLabels.instance, HOST);
    assert.ok(body.alerts.every((a) => a.labels.instance === HOST));
    const mem = body.alerts.find((a) => a.labels.alertname === 'HostMemoryLeft')!;
    assert.equal(mem.annotations.value, String(AVAILABLE), 'the raw number in a machine payload');
    assert.equal(mem.annotations.summary, '23.54 GiB available on web-1');
    assert.equal(mem.generatorURL, `http://${HOST}:${port}/alerts/${memFp}`);

    // the link resolves: GET /alerts/:fingerprint on this sidecar shows that alert
    const res = await fetch(`http://127.0.0.1:${port}${new URL(mem.generatorURL).pathname}`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { fingerprint: string; active: { alert: string; labels: Record<string, string> } };
    assert.equal(page.fingerprint, memFp);
    assert.equal(page.active.alert, 'HostMemoryLeft');
    assert.equal(page.active.labels.instance, HOST);
  });

  test('resolved: names the instance and says how long it lasted', async () => {
    clock.advance(7 * 60_000 + 30_000);
    await alerting.evaluate(readings(0.05, 512 * 1024 * 1024));
    await alerting.notifier.flush();
    assert.equal(smtp.messages.length, 2);
    const mail = smtp.messages[1]!.parsed;
    assert.equal(mail.subject, `[RESOLVED] HostHighCpu, HostMemoryLeft on ${HOST}`);
    const text = mail.text ?? '';
    // the summary as it was when the condition last held (as Prometheus sends it); the value line is the latest
    assert.match(text, /^RESOLVED HostMemoryLeft \(warning\): 23\.54 GiB available on web-1\n  value: 512 MiB \(threshold 1 GiB\)\n  resolved 2026-01-01 12:07:30 UTC \(lasted 7m30s\)$/m);
    assert.match(text, /^  cpu=all: 5% · lasted 7m30s · /m);
    const post = slack.requests.filter((r) => r.method === 'chat.postMessage');
    assert.equal(post.length, 2);
    const blocks = post[1]!.body.blocks as SlackBlockLike[];
    assert.equal(blocks[0]!.text!.text, `[RESOLVED] HostHighCpu, HostMemoryLeft on ${HOST}`);
    assert.ok(blocks.some((b) => b.type === 'context' && b.elements![0]!.text.startsWith('resolved 2026-01-01 12:07:30 UTC (lasted 7m30s)')));
    const body = hook.requests.at(-1)!.json as { status: string; commonLabels: Record<string, string> };
    assert.equal(body.status, 'resolved');
    assert.equal(body.commonLabels.instance, HOST);
  });
});
