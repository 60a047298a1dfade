/** The alertmanager channel against the real Debian Alertmanager: firing shows up, resolved goes away. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChannel } from '../../src/notify/channels/index.ts';
import { alertmanagerSkipReason, getAlerts, startAlertmanager, type GettableAlert, type RunningAlertmanager } from '../support/alertmanager.ts';
import { firing, resolved } from '../support/events.ts';

let am: RunningAlertmanager | undefined;
const skip = alertmanagerSkipReason();

before(async () => {
  if (!skip) am = await startAlertmanager();
});
after(async () => {
  await am?.close();
});

const find = (alerts: GettableAlert[], instance: string) => alerts.find((a) => a.labels.alertname === 'HostHighCpu' && a.labels.instance === instance);

test('firing alert appears in GET /api/v2/alerts with labels, annotations, generatorURL and a resend-based endsAt', { skip }, async () => {
  const channel = createChannel('am', { type: 'alertmanager', url: am!.url, resend_interval: 60_000 }, { externalUrl: 'http://prodpulse.test:9464' });
  assert.equal(channel.type, 'alertmanager');
  assert.equal(channel.resendIntervalMs, 60_000, 'the pipeline learns how often to re-send');
  const now = Date.now();
  const e = firing({ alert: 'HostHighCpu', labels: { instance: 'am-1' }, annotations: { description: 'd' }, summary: 'CPU at 95%' }, now);
  await channel.send([e], AbortSignal.timeout(10_000));

  const a = find(await getAlerts(am!.url), 'am-1');
  assert.ok(a, 'alert listed');
  assert.equal(a.status.state, 'active');
  assert.deepEqual(a.labels, { alertname: 'HostHighCpu', severity: 'critical', instance: 'am-1' });
  assert.deepEqual(a.annotations, { description: 'd', summary: 'CPU at 95%', value: '1', threshold: '0.9' }, 'raw value and threshold for machines');
  assert.equal(new Date(a.startsAt).getTime(), e.startsAt);
  const endsAt = new Date(a.endsAt).getTime();
  assert.ok(endsAt >= now + 4 * 60_000 - 1000 && endsAt <= Date.now() + 4 * 60_000 + 1000, `endsAt ${a.endsAt} ≈ now + 4 × resend_interval`);
  assert.equal(a.generatorURL, `http://prodpulse.test:9464/alerts/${encodeURIComponent(e.fingerprint)}`, "links to the alert's page");
});

test('a resolved event ends the alert: gone from GET /api/v2/alerts in every state', { skip }, async () => {
  const channel = createChannel('am', { type: 'alertmanager', url: am!.url, resend_interval: 60_000 }, {});
  const now = Date.now();
  const e = firing({ alert: 'HostHighCpu', labels: { instance: 'am-2' } }, now);
  await channel.send([e], AbortSignal.timeout(10_000));
  assert.ok(find(await getAlerts(am!.url, '?active=true'), 'am-2'), 'active after firing');

  // one grouped message holding a resolution and a new firing alert
  const other = firing({ alert: 'HostHighCpu', labels: { instance: 'am-3' } }, now);
  await channel.send([resolved(e, Date.now()), other], AbortSignal.timeout(10_000));
  await new Promise((r) => setTimeout(r, 50)); // endsAt = resolution time; let Alertmanager's clock pass it

  const active = await getAlerts(am!.url, '?active=true');
  assert.equal(find(active, 'am-2'), undefined, `am-2 resolved: ${JSON.stringify(active.map((a) => a.labels))}`);
  assert.ok(find(active, 'am-3'), 'the firing alert sent in the same group is active');
  const all = await getAlerts(am!.url, '?active=true&silenced=true&inhibited=true&unprocessed=true');
  assert.equal(find(all, 'am-2'), undefined, 'resolved alerts are not listed in any state');
});
