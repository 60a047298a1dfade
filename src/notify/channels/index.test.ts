import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelSecrets, createChannel, describeChannel } from './index.ts';
import { postableAlerts } from './alertmanager.ts';
import { firing, resolved } from '../../../test/support/events.ts';
import type { ChannelConfig } from '../../config/schema.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const configs: { cfg: ChannelConfig; secrets: string[]; described: object }[] = [
  { cfg: { type: 'slack', token: 'plain-token-1234', channel: '#ops' }, secrets: ['plain-token-1234'], described: { type: 'slack', channel: '#ops', host: 'slack.com' } },
  { cfg: { type: 'email', url: 'smtps://me:mail%2Fpass@smtp.example.com:465', from: 'a@b', to: ['c@d'] }, secrets: ['mail/pass', 'mail%2Fpass'], described: { type: 'email', host: 'smtp.example.com:465' } },
  {
    cfg: { type: 'webhook', url: 'https://hooks.example.com/services/T0/B0/XyzSecret42?k=qsecret9', headers: { Authorization: 'Bearer hdrsecret7' } },
    secrets: ['/services/T0/B0/XyzSecret42', 'XyzSecret42', 'qsecret9', 'Bearer hdrsecret7'],
    described: { type: 'webhook', host: 'hooks.example.com' },
  },
  { cfg: { type: 'alertmanager', url: 'http://am:AmPass77@alertmanager:9093', resend_interval: 60_000 }, secrets: ['AmPass77'], described: { type: 'alertmanager', host: 'alertmanager:9093' } },
];

test('describeChannel shows type, channel and host only; channelSecrets lists every secret', () => {
  for (const { cfg, secrets, described } of configs) {
    assert.deepEqual(describeChannel(cfg), described);
    const listed = channelSecrets(cfg);
    for (const s of secrets) assert.ok(listed.includes(s), `${cfg.type}: ${s} listed in ${JSON.stringify(listed)}`);
  }
});

test('createChannel returns a channel of the configured type; only alertmanager has resendIntervalMs', () => {
  for (const { cfg } of configs) {
    const ch = createChannel('n', cfg, {});
    assert.equal(ch.name, 'n');
    assert.equal(ch.type, cfg.type);
    assert.equal(ch.resendIntervalMs, cfg.type === 'alertmanager' ? 60_000 : undefined);
  }
});

test('postableAlerts: firing endsAt = now + 4 × resend interval, resolved endsAt = resolution time', () => {
  const e = firing({ alert: 'X', labels: { a: 'b' } }, NOW);
  const [f, r] = postableAlerts([e, resolved(e, NOW - 5000)], NOW, 60_000, 'http://pp:1/');
  assert.equal(f!.endsAt, new Date(NOW + 240_000).toISOString());
  assert.equal(r!.endsAt, new Date(NOW - 5000).toISOString());
  assert.deepEqual(f!.labels, { alertname: 'X', severity: 'critical', a: 'b' });
  assert.equal(f!.generatorURL, `http://pp:1/alerts/${encodeURIComponent(e.fingerprint)}`);
  assert.deepEqual([f!.annotations.value, f!.annotations.threshold], ['1', '0.9'], 'raw numbers in annotations');
  assert.equal(postableAlerts([e], NOW, 60_000, undefined)[0]!.generatorURL, undefined);
});

test('an unusable config fails createChannel without echoing the URL', () => {
  const cfg = { type: 'webhook', url: 'http://[bad/hooks/PathSecret99', headers: {} } as ChannelConfig;
  assert.throws(() => createChannel('h', cfg), (err: Error) => !String(err).includes('PathSecret99') && /channel h \(webhook\)/.test(err.message));
});
