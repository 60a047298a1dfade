/**
 * Services through the whole sidecar process: real HTTP targets on loopback, the shipped rules, a real webhook
 * receiver. One notification when an incident opens and one when it recovers, never one per failed check; the
 * status follows; a hot reload adds a service without resetting the streak of one whose identity is unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { startProbeTarget, OK, type ProbeTarget } from '../support/probe-target.ts';
import { startSidecar, type RunningSidecar } from '../support/sidecar-process.ts';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.ts';
import { waitFor } from '../support/wait.ts';

const shipped = parse(readFileSync(new URL('../../alerts.yaml', import.meta.url), 'utf8')) as { rules: { alert: string }[] };
const serviceRules = shipped.rules.filter((r) => ['ServiceDown', 'VersionDrift', 'ServiceSlow'].includes(r.alert));

function config(sinkUrl: string, services: Record<string, unknown>[]): string {
  return stringify({
    sampling: { interval: '200ms', collectors: { cpu: false, load: false, memory: false, filesystem: false, disk: false, network: false, boot: false } },
    channels: { hook: { type: 'webhook', url: `${sinkUrl}/hook` } },
    defaults: { channels: ['hook'], services: { interval: '1s', timeout: '500ms' } },
    services,
    rules: serviceRules,
  });
}

let target: ProbeTarget;
let other: ProbeTarget;
let sink: WebhookSink;
let sidecar: RunningSidecar;

before(async () => {
  target = await startProbeTarget(OK);
  other = await startProbeTarget(OK);
  sink = await startWebhookSink();
  sidecar = await startSidecar({ config: config(sink.url, [{ id: 'payments', name: 'Payments', url: `${target.origin}/health`, expected_version: '2.1.0' }]) });
});
after(async () => {
  await sidecar?.stop();
  await Promise.all([target?.close(), other?.close(), sink?.close()]);
});

type Live = { status: { kind: string; target: string; status: string }[]; service: Record<string, { consecutiveFailures: number; up: boolean }> };
const live = async () => (await (await fetch(`${sidecar.url}/metrics/live`)).json()) as Live;
const statusOf = async (kind: string, name: string) => (await live()).status.find((s) => s.kind === kind && s.target === name)?.status;
const notices = () =>
  sink.requests
    .filter((r) => r.path === '/hook')
    .flatMap((r) => (r.json as { alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] }).alerts)
    .filter((a) => a.labels.alertname === 'ServiceDown');

test('an outage sends one CRITICAL INCIDENT and one recovery, whatever its length; the status follows', async () => {
  await waitFor('payments HEALTHY', async () => (await statusOf('service', 'payments')) === 'HEALTHY', 15_000, sidecar.output);
  target.mode = { kind: 'json', status: 500, version: '2.1.0' };
  await waitFor('payments DOWN', async () => (await statusOf('service', 'payments')) === 'DOWN', 15_000, sidecar.output);
  // many more failed checks: still one notification
  await waitFor('six failed checks', async () => ((await live()).service['service:payments']?.consecutiveFailures ?? 0) >= 6, 20_000, sidecar.output);
  await waitFor('the firing notice', () => notices().length >= 1, 15_000, sidecar.output);
  assert.deepEqual(notices().map((a) => a.status), ['firing']);
  assert.match(notices()[0]!.annotations.summary ?? '', /^CRITICAL INCIDENT: payments failed \d+ consecutive checks \(status: HTTP 500\)$/);
  assert.equal((sidecar.output().match(/CRITICAL INCIDENT: Payments failed 3 consecutive checks/g) ?? []).length, 1, 'logged once');

  target.mode = OK;
  await waitFor('payments HEALTHY again', async () => (await statusOf('service', 'payments')) === 'HEALTHY', 15_000, sidecar.output);
  await waitFor('the resolved notice', () => notices().length >= 2, 15_000, sidecar.output);
  assert.deepEqual(notices().map((a) => a.status), ['firing', 'resolved']);
  assert.match(sidecar.output(), /RECOVERED: Payments after \d+ failed checks/);
});

test('a hot reload adds a service and keeps the failure streak of one whose identity did not change', async () => {
  target.mode = { kind: 'json', status: 503, version: '2.1.0' };
  await waitFor('two failed checks', async () => ((await live()).service['service:payments']?.consecutiveFailures ?? 0) >= 2, 15_000, sidecar.output);
  const before = (await live()).service['service:payments']!.consecutiveFailures;
  writeFileSync(
    sidecar.configPath,
    config(sink.url, [
      { id: 'payments', name: 'Payments', url: `${target.origin}/health`, expected_version: '2.1.0' },
      { id: 'auth', name: 'Auth', url: `${other.origin}/health` },
    ]),
  );
  process.kill(sidecar.pid, 'SIGHUP');
  await waitFor('auth probed', async () => (await live()).service['service:auth']?.up === true, 15_000, sidecar.output);
  const after = (await live()).service['service:payments']!.consecutiveFailures;
  assert.ok(after >= before, `the streak went on (${before} → ${after}) instead of restarting at 0`);
  assert.equal(await statusOf('service', 'auth'), 'HEALTHY');
  target.mode = OK;
});
