/**
 * One conformance kit run against every channel type, each against a real far end on loopback:
 * Slack → Web API double spoken to by @slack/web-api, email → real smtp-server read back by mailparser,
 * webhook → HTTP sink, alertmanager → the real Debian Alertmanager binary.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createChannel, describeChannel, channelSecrets, type ChannelDeps } from '../../src/notify/channels/index.ts';
import { NotifyError, type AlertEvent, type Channel } from '../../src/notify/types.ts';
import type { ChannelConfig } from '../../src/config/schema.ts';
import { startSlackDouble, type SlackDouble } from '../support/slack-double.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.ts';
import { alertmanagerSkipReason, getAlerts, startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.ts';
import { freePort } from '../support/free-port.ts';
import { firing, sampleGroup } from '../support/events.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const deps: ChannelDeps = { externalUrl: 'http://prodpulse.test:9464', version: 'test', clock: { now: () => NOW } };

/** A failure scenario: the channel to send with, what the error must look like, and what to do before the retry. */
interface Failure {
  label: string;
  channel: Channel;
  events?: AlertEvent[];
  retryAfterMs?: number;
  reason?: string | RegExp;
  /** script the far end to fail the next call, right before the failing send */
  arm?: () => Promise<void>;
  /** bring the far end back before the second send (recoverable only) */
  recover?: () => Promise<void>;
}

interface Kit {
  name: string;
  cfg: () => ChannelConfig;
  /** strings that must never appear in errors or descriptions */
  secrets: () => string[];
  makeChannel: () => Channel;
  /** pointed at a port where nothing listens */
  makeDown: () => Promise<Channel>;
  makeRecoverableFailure: () => Promise<Failure[]>;
  makePermanentFailure: () => Promise<Failure[]>;
  /** the deliveries seen by the far end so far */
  readDelivered: () => Promise<unknown[]>;
  /** asserts the last delivery carries `events` faithfully */
  checkContent: (events: AlertEvent[]) => Promise<void>;
  /** why this kit cannot run here (only locally; CI fails instead) */
  skip?: string | undefined;
}

const send = (ch: Channel, events: AlertEvent[]) => ch.send(events, AbortSignal.timeout(10_000));

async function expectNotifyError(p: Promise<void>, secrets: string[], label = ''): Promise<NotifyError> {
  const err = await p.then(
    () => assert.fail(`send should have thrown ${label}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof NotifyError, `expected NotifyError, got ${inspect(err)}`);
  const shown = [err.message, err.stack ?? '', String(err), inspect(err, { depth: 5 }), JSON.stringify(err)].join('\n');
  for (const s of secrets) assert.ok(!shown.includes(s), `secret ${JSON.stringify(s.slice(0, 6))}… leaked in: ${shown}`);
  return err;
}

// ---- far ends ----------------------------------------------------------------------------------------------
const SLACK_TOKEN = 'xoxb-1111-2222-SlackBotTokenSecret';
const SMTP_USER = 'alerts@example.com';
const SMTP_PASS = 'smtp-P@ss:w0rd/Secret';
const HOOK_PATH = '/hooks/T0001/B0002/WebhookPathSecret123';
const HOOK_QUERY_SECRET = 'QuerySigSecret456';
const HOOK_HEADER_SECRET = 'HeaderApiKeySecret789';
const AM_USER = 'amuser';
const AM_PASS = 'AmBasicAuthSecret';

let slack: SlackDouble;
let smtp: SmtpSink;
let hook: WebhookSink;
let am: RunningAlertmanager | undefined;
// decided once, at load: under CI=true a missing Alertmanager throws here and fails the run
const amSkip = alertmanagerSkipReason();
const extraClose: (() => Promise<void>)[] = [];

before(async () => {
  slack = await startSlackDouble({ token: SLACK_TOKEN, channels: ['#alerts'] });
  smtp = await startSmtpSink({ user: SMTP_USER, pass: SMTP_PASS });
  hook = await startWebhookSink();
  if (!amSkip) am = await startAlertmanager();
});
after(async () => {
  await Promise.all([slack?.close(), smtp?.close(), hook?.close(), am?.close(), ...extraClose.map((c) => c())]);
});

const downUrl = async (path = '') => `http://127.0.0.1:${await freePort()}${path}`;

const kits: Kit[] = [
  {
    name: 'slack',
    cfg: () => ({ type: 'slack', token: SLACK_TOKEN, channel: '#alerts', api_url: slack.url }),
    secrets: () => [SLACK_TOKEN],
    makeChannel() {
      return createChannel('team-slack', this.cfg(), deps);
    },
    async makeDown() {
      return createChannel('team-slack', { type: 'slack', token: SLACK_TOKEN, channel: '#alerts', api_url: await downUrl('/api/') }, deps);
    },
    async makeRecoverableFailure() {
      const ch = () => createChannel('team-slack', this.cfg(), deps);
      return [
        { label: '429 Retry-After seconds', channel: ch(), retryAfterMs: 7000, reason: 'rate_limited', arm: async () => slack.script({ kind: 'ratelimit', retryAfter: '7' }) },
        {
          label: '429 Retry-After HTTP-date',
          channel: ch(),
          retryAfterMs: 30_000,
          reason: 'rate_limited',
          arm: async () => slack.script({ kind: 'ratelimit', retryAfter: new Date(NOW + 30_000).toUTCString() }),
        },
        { label: 'HTTP 503', channel: ch(), reason: 'http_503', arm: async () => slack.script({ kind: 'status', status: 503 }) },
        { label: 'ok:false ratelimited', channel: ch(), reason: 'ratelimited', arm: async () => slack.script({ kind: 'error', error: 'ratelimited' }) },
        { label: 'ok:false internal_error', channel: ch(), reason: 'internal_error', arm: async () => slack.script({ kind: 'error', error: 'internal_error' }) },
      ];
    },
    async makePermanentFailure() {
      return [
        { label: 'invalid_auth (wrong token)', channel: createChannel('team-slack', { type: 'slack', token: 'xoxb-9999-wrong-OtherTokenSecret', channel: '#alerts', api_url: slack.url }, deps), reason: 'invalid_auth' },
        { label: 'channel_not_found', channel: createChannel('team-slack', { type: 'slack', token: SLACK_TOKEN, channel: '#nope', api_url: slack.url }, deps), reason: 'channel_not_found' },
        { label: 'HTTP 400', channel: this.makeChannel(), reason: 'http_400', arm: async () => slack.script({ kind: 'status', status: 400 }) },
      ];
    },
    async readDelivered() {
      return slack.requests.filter((r) => r.method === 'chat.postMessage' && r.authorization === `Bearer ${SLACK_TOKEN}` && r.body.channel === '#alerts');
    },
    async checkContent(events) {
      const req = slack.requests.at(-1)!;
      assert.equal(req.authorization, `Bearer ${SLACK_TOKEN}`);
      assert.equal(req.body.channel, '#alerts');
      assert.match(String(req.body.text), /\[FIRING:2\] HostHighCpu, DiskAlmostFull on web-1/);
      const blocks = req.body.blocks as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[];
      assert.ok(Array.isArray(blocks), 'blocks sent');
      assert.equal(blocks[0]!.type, 'header');
      assert.equal(blocks[0]!.text!.text, '[FIRING:2] HostHighCpu, DiskAlmostFull on web-1');
      const sections = blocks.filter((b) => b.type === 'section');
      assert.equal(sections.length, events.length, 'one section per alert');
      const cpu = sections[0]!;
      assert.match(cpu.text!.text, /:red_circle: \*HostHighCpu\* on web-1 — CPU at 95% on web-1 &lt;b&gt;&amp;&lt;\/b&gt;/);
      const fields = cpu.fields!.map((f) => f.text);
      assert.ok(fields.includes('*Severity*\ncritical'), fields.join('|'));
      assert.ok(fields.includes('*Value*\n95.3% (threshold 90%)'), fields.join('|'));
      assert.ok(fields.includes('*instance*\nweb-1') && fields.includes('*job*\nnode'), fields.join('|'));
      assert.match(sections[1]!.text!.text, /^:warning: \*DiskAlmostFull\*/);
      assert.match(sections[2]!.text!.text, /^:white_check_mark: \*DiskAlmostFull\* on web-1 — Disk \/ back to 79%/);
      const contexts = blocks.filter((b) => b.type === 'context').map((b) => b.elements![0]!.text);
      assert.ok(contexts.some((c) => c.startsWith('started 2026-01-01 11:50:00 UTC')), contexts.join('|'));
      const cpuLink = `http://prodpulse.test:9464/alerts/${encodeURIComponent(events[0]!.fingerprint)}`;
      assert.ok(contexts.some((c) => c.includes(`<${cpuLink}|View alert>`)), contexts.join('|'));
      assert.ok(contexts.some((c) => c.startsWith('resolved 2026-01-01 11:59:00 UTC (lasted 9m)')), contexts.join('|'));
    },
  },
  {
    name: 'email',
    cfg: () => ({ type: 'email', url: smtp.url, from: 'prodpulse@example.com', to: ['oncall@example.com', 'ops@example.com'] }),
    secrets: () => [SMTP_PASS, encodeURIComponent(SMTP_PASS)],
    makeChannel() {
      return createChannel('oncall', this.cfg(), deps);
    },
    async makeDown() {
      const port = await freePort();
      return createChannel('oncall', { ...(this.cfg() as Extract<ChannelConfig, { type: 'email' }>), url: `smtp://${encodeURIComponent(SMTP_USER)}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${port}` }, deps);
    },
    async makeRecoverableFailure() {
      return [
        { label: 'SMTP 421 at MAIL FROM', channel: this.makeChannel(), reason: 'smtp_421', arm: async () => smtp.failNext('mail', 421, 'Service not available, try later') },
        { label: 'SMTP 451 at DATA', channel: this.makeChannel(), reason: 'smtp_451', arm: async () => smtp.failNext('data', 451, 'Local error in processing') },
      ];
    },
    async makePermanentFailure() {
      const bad = smtp.url.replace(encodeURIComponent(SMTP_PASS), encodeURIComponent('wrong-' + SMTP_PASS));
      return [
        { label: 'auth failure (EAUTH)', channel: createChannel('oncall', { ...(this.cfg() as Extract<ChannelConfig, { type: 'email' }>), url: bad }, deps), reason: 'auth_failed' },
        { label: 'SMTP 550 at MAIL FROM', channel: this.makeChannel(), reason: 'smtp_550', arm: async () => smtp.failNext('mail', 550, 'Sender rejected') },
        { label: 'SMTP 550 for every RCPT', channel: this.makeChannel(), reason: 'smtp_550', arm: async () => smtp.failNext('rcpt', 550, 'No such user here', 2) },
      ];
    },
    async readDelivered() {
      return smtp.messages;
    },
    async checkContent(events) {
      const m = smtp.messages.at(-1)!;
      assert.equal(m.user, SMTP_USER);
      assert.equal(m.from, 'prodpulse@example.com');
      assert.deepEqual(m.to, ['oncall@example.com', 'ops@example.com']);
      assert.equal(m.parsed.subject, '[FIRING:2] HostHighCpu, DiskAlmostFull on web-1');
      const to = Array.isArray(m.parsed.to) ? m.parsed.to : [m.parsed.to];
      assert.deepEqual(to.flatMap((a) => a!.value.map((v) => v.address)), ['oncall@example.com', 'ops@example.com']);
      const text = m.parsed.text ?? '';
      assert.match(text, /FIRING HostHighCpu \(critical\): CPU at 95% on web-1 <b>&<\/b>/);
      assert.match(text, /value: 95\.3% \(threshold 90%\)/);
      assert.match(text, /labels: instance="web-1", job="node"/);
      assert.match(text, /RESOLVED DiskAlmostFull \(warning\): Disk \/ back to 79%/);
      const html = typeof m.parsed.html === 'string' ? m.parsed.html : '';
      assert.ok(html.length > 0, 'html part present');
      assert.ok(html.includes('CPU at 95% on web-1 &lt;b&gt;&amp;&lt;/b&gt;'), 'summary HTML-escaped');
      assert.ok(!html.includes('<b>&</b>'), 'raw markup not injected');
      assert.ok(html.includes('mountpoint=&quot;/data&quot;') || html.includes('mountpoint="/data"'), 'labels in the html part');
      assert.ok(html.includes(`href="http://prodpulse.test:9464/alerts/${encodeURIComponent(events[0]!.fingerprint)}"`), 'the HTML part links to the alert');
    },
  },
  {
    name: 'webhook',
    cfg: () => ({ type: 'webhook', url: `${hook.url}${HOOK_PATH}?sig=${HOOK_QUERY_SECRET}`, headers: { 'X-Api-Key': HOOK_HEADER_SECRET } }),
    secrets: () => [HOOK_PATH, 'WebhookPathSecret123', HOOK_QUERY_SECRET, HOOK_HEADER_SECRET],
    makeChannel() {
      return createChannel('hook', this.cfg(), deps);
    },
    async makeDown() {
      return createChannel('hook', { type: 'webhook', url: await downUrl(`${HOOK_PATH}?sig=${HOOK_QUERY_SECRET}`), headers: { 'X-Api-Key': HOOK_HEADER_SECRET } }, deps);
    },
    async makeRecoverableFailure() {
      return [
        { label: 'HTTP 503 + Retry-After', channel: this.makeChannel(), reason: 'http_503', retryAfterMs: 5000, arm: async () => hook.script({ status: 503, body: 'busy', headers: { 'retry-after': '5' } }) },
        { label: 'HTTP 429', channel: this.makeChannel(), reason: 'rate_limited', retryAfterMs: 2000, arm: async () => hook.script({ status: 429, headers: { 'retry-after': '2' } }) },
      ];
    },
    async makePermanentFailure() {
      return [
        // the far end echoes the secret URL back in its error body: it must not reach the message
        { label: 'HTTP 400 echoing the URL', channel: this.makeChannel(), reason: 'http_400', arm: async () => hook.script({ status: 400, body: `bad payload for ${HOOK_PATH}?sig=${HOOK_QUERY_SECRET} key ${HOOK_HEADER_SECRET}` }) },
        { label: 'HTTP 404', channel: this.makeChannel(), reason: 'http_404', arm: async () => hook.script({ status: 404 }) },
      ];
    },
    async readDelivered() {
      return hook.requests.filter((r) => r.method === 'POST');
    },
    async checkContent(events) {
      const req = hook.requests.at(-1)!;
      assert.equal(req.path, `${HOOK_PATH}?sig=${HOOK_QUERY_SECRET}`);
      assert.equal(req.headers['x-api-key'], HOOK_HEADER_SECRET);
      assert.match(String(req.headers['content-type']), /application\/json/);
      const p = req.json as Record<string, unknown> & { alerts: Record<string, unknown>[] };
      assert.equal(p.version, '4');
      assert.equal(p.status, 'firing');
      assert.equal(p.receiver, 'hook');
      assert.equal(p.externalURL, 'http://prodpulse.test:9464');
      assert.equal(typeof p.groupKey, 'string');
      assert.deepEqual(p.groupLabels, {});
      assert.deepEqual(p.commonLabels, { instance: 'web-1' }, 'the host every alert is about');
      assert.equal(p.alerts.length, events.length);
      const [cpu, disk, root] = p.alerts;
      assert.deepEqual(cpu!.labels, { alertname: 'HostHighCpu', severity: 'critical', instance: 'web-1', job: 'node' });
      assert.deepEqual(cpu!.annotations, { description: 'Load is high for 2m', summary: 'CPU at 95% on web-1 <b>&</b>', value: '0.9534', threshold: '0.9' });
      assert.equal(cpu!.status, 'firing');
      assert.equal(cpu!.startsAt, '2026-01-01T11:50:00.000Z');
      assert.equal(cpu!.endsAt, '0001-01-01T00:00:00Z');
      assert.equal(cpu!.fingerprint, events[0]!.fingerprint);
      assert.equal(cpu!.generatorURL, `http://prodpulse.test:9464/alerts/${encodeURIComponent(events[0]!.fingerprint)}`);
      assert.equal(disk!.status, 'firing');
      assert.equal(root!.status, 'resolved');
      assert.equal(root!.endsAt, '2026-01-01T11:59:00.000Z');
    },
  },
  {
    name: 'alertmanager',
    skip: amSkip,
    cfg: () => ({ type: 'alertmanager', url: am!.url.replace('http://', `http://${AM_USER}:${AM_PASS}@`), resend_interval: 60_000 }),
    secrets: () => [AM_PASS],
    makeChannel() {
      // real time: Alertmanager compares endsAt with its own clock
      return createChannel('am', this.cfg(), { ...deps, clock: undefined });
    },
    async makeDown() {
      return createChannel('am', { type: 'alertmanager', url: (await downUrl()).replace('http://', `http://${AM_USER}:${AM_PASS}@`), resend_interval: 60_000 }, {});
    },
    async makeRecoverableFailure() {
      // Alertmanager down, then started on that very port: the second send must get through
      const port = await freePort();
      return [
        {
          label: 'down, then started',
          channel: createChannel('am', { type: 'alertmanager', url: `http://${AM_USER}:${AM_PASS}@127.0.0.1:${port}`, resend_interval: 60_000 }, {}),
          reason: 'network',
          recover: async () => {
            const second = await startAlertmanager({ port });
            extraClose.push(() => second.close());
          },
        },
      ];
    },
    async makePermanentFailure() {
      // a label name Alertmanager rejects: 400 from the real server
      return [{ label: 'HTTP 400 invalid label name', channel: this.makeChannel(), events: [firing({ alert: 'BadLabels', labels: { 'bad-label': 'x' } })], reason: 'http_400' }];
    },
    async readDelivered() {
      return getAlerts(am!.url);
    },
    async checkContent(events) {
      const alerts = await getAlerts(am!.url);
      for (const e of events.filter((x) => x.kind === 'firing')) {
        const a = alerts.find((x) => x.labels.alertname === e.alert && Object.entries(e.labels).every(([k, v]) => x.labels[k] === v));
        assert.ok(a, `${e.alert} ${JSON.stringify(e.labels)} active in Alertmanager: ${JSON.stringify(alerts)}`);
        assert.equal(a.status.state, 'active');
        assert.equal(a.annotations.summary, e.summary);
        assert.equal(new Date(a.startsAt).getTime(), e.startsAt);
        assert.ok(new Date(a.endsAt).getTime() > Date.now() + 3 * 60_000, 'endsAt ≈ now + 4 × resend_interval');
      }
      const root = alerts.find((x) => x.labels.mountpoint === '/');
      assert.equal(root, undefined, 'the resolved alert is not active');
    },
  },
];

for (const kit of kits) {
  describe(`channel conformance: ${kit.name}`, { skip: kit.skip }, () => {
    test('(a) delivers the whole group as one message with its content', async (t) => {
      const events = kit.name === 'alertmanager' ? sampleGroup(Date.now()) : sampleGroup(NOW);
      const before = (await kit.readDelivered()).length;
      await send(kit.makeChannel(), events);
      const delivered = await kit.readDelivered();
      if (kit.name !== 'alertmanager') assert.equal(delivered.length, before + 1, 'exactly one message for the group');
      await kit.checkContent(events);
    });

    test('(b) far end down → recoverable NotifyError', async (t) => {
      const err = await expectNotifyError(send(await kit.makeDown(), sampleGroup(NOW)), kit.secrets());
      assert.equal(err.recoverable, true);
      assert.equal(err.reason, 'network');
    });

    test('(b) recoverable failure → recoverable NotifyError, then a second send succeeds', async (t) => {
      for (const f of (await kit.makeRecoverableFailure())) {
        await f.arm?.();
        const err = await expectNotifyError(send(f.channel, f.events ?? sampleGroup(NOW)), kit.secrets(), f.label);
        assert.equal(err.recoverable, true, `${f.label}: recoverable (${err.message})`);
        if (f.reason !== undefined) assert.match(err.reason, typeof f.reason === 'string' ? new RegExp(`^${f.reason}$`) : f.reason, f.label);
        if (f.retryAfterMs !== undefined) {
          assert.ok(err.retryAfterMs !== undefined, `${f.label}: retryAfterMs set`);
          assert.ok(Math.abs(err.retryAfterMs - f.retryAfterMs) <= 1000, `${f.label}: retryAfterMs ${err.retryAfterMs} ≈ ${f.retryAfterMs}`);
        }
        await f.recover?.();
        await send(f.channel, f.events ?? sampleGroup(kit.name === 'alertmanager' ? Date.now() : NOW));
      }
    });

    test('(c) permanent failure → NotifyError with recoverable=false', async (t) => {
      for (const f of (await kit.makePermanentFailure())) {
        await f.arm?.();
        const err = await expectNotifyError(send(f.channel, f.events ?? sampleGroup(NOW)), [...kit.secrets(), 'OtherTokenSecret'], f.label);
        assert.equal(err.recoverable, false, `${f.label}: not recoverable (${err.message})`);
        if (f.reason !== undefined) assert.match(err.reason, typeof f.reason === 'string' ? new RegExp(`^${f.reason}$`) : f.reason, f.label);
      }
    });

    test('(d) describeChannel and channelSecrets expose no secret', (t) => {
      const cfg = kit.cfg();
      const described = JSON.stringify(describeChannel(cfg));
      for (const s of kit.secrets()) assert.ok(!described.includes(s), `describeChannel leaks ${s.slice(0, 6)}…: ${described}`);
      assert.match(described, /"host":"127\.0\.0\.1:\d+"/);
      const listed = channelSecrets(cfg);
      for (const s of kit.secrets()) assert.ok(listed.some((x) => x.includes(s) || s.includes(x)), `channelSecrets covers ${s.slice(0, 6)}…`);
    });
  });
}
