/**
 * The email's HTML part, as received by a real SMTP server and parsed by mailparser, rendered in Debian's Chromium
 * (playwright-core): it shows the host, the values in their units and working links, and loads nothing from the
 * network (every request is intercepted and fails the test). PRODPULSE_UPDATE_DOCS=1 writes the screenshot to
 * docs/email.png (shown in the README); otherwise it goes to a temporary directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createChannel } from '../../src/notify/channels/index.ts';
import type { AlertEvent } from '../../src/notify/types.ts';
import { alertFingerprint } from '../../src/rules/fingerprint.ts';
import { missingBinary } from '../support/binaries.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';

const CHROMIUM = '/usr/bin/chromium';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const EXTERNAL = 'http://web-1:9470';

function event(alert: string, severity: AlertEvent['severity'], metric: string, labels: Record<string, string>, value: number, threshold: number, summary: string, extra: Partial<AlertEvent> = {}): AlertEvent {
  const all = { instance: 'web-1', ...labels, alertname: alert, severity };
  return { kind: 'firing', alert, fingerprint: alertFingerprint(alert, all), severity, labels: all, annotations: { summary }, value, threshold, metric, startsAt: NOW - 6 * 60_000, summary, ...extra };
}

/** A group like a busy host sends: three CPUs over the threshold (one block), memory low, a disk back to normal. */
export function sampleMail(): AlertEvent[] {
  const cpu = (c: string, v: number) => event('HostHighCpu', 'critical', 'host_cpu_usage_ratio', { cpu: c }, v, 0.9, `CPU ${c} at ${(v * 100).toFixed(1)}% on web-1`);
  return [
    event('HostDiskAlmostFull', 'warning', 'host_filesystem_used_ratio', { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' }, 0.79, 0.85, '/ is 79% full on web-1', {
      kind: 'resolved',
      startsAt: NOW - 42 * 60_000,
      endsAt: NOW - 60_000,
    }),
    event('HostMemoryLow', 'warning', 'host_memory_available_bytes', {}, 1_717_986_918, 2_147_483_648, '1.6 GiB of memory available on web-1', {
      annotations: { summary: '1.6 GiB of memory available on web-1', description: 'Less than 2 GiB has been available for 5 minutes.' },
    }),
    cpu('all', 0.9421),
    cpu('0', 0.9512),
    cpu('1', 0.9338),
  ];
}

test('the email HTML part renders in Chromium with the host, units and links, and no external request', { skip: missingBinary(CHROMIUM, 'chromium') }, async (t) => {
  const smtp = await startSmtpSink({ user: 'ops', pass: 'render-pass-1' });
  t.after(() => smtp.close());
  const events = sampleMail();
  await createChannel('mail', { type: 'email', url: smtp.url, from: 'prodpulse@example.com', to: ['oncall@example.com'] }, { externalUrl: EXTERNAL }).send(events, AbortSignal.timeout(10_000));
  const html = smtp.messages[0]?.parsed.html;
  assert.ok(typeof html === 'string' && html.length > 0, 'an HTML part was received');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 760, height: 600 }, deviceScaleFactor: 1, javaScriptEnabled: false });
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => void (r.url().startsWith('data:') || r.url() === 'about:blank' || requests.push(r.url())));
  await page.setContent(html, { waitUntil: 'load' });

  assert.deepEqual(requests, [], 'the HTML part loads nothing');
  assert.equal(await page.title(), '[FIRING:4] HostHighCpu, HostMemoryLow, HostDiskAlmostFull on web-1');
  const body = await page.locator('body').innerText();
  assert.match(body, /\[FIRING:4\] HostHighCpu, HostMemoryLow, HostDiskAlmostFull on web-1/);
  assert.match(body, /3 alerts by cpu/);
  assert.match(body, /1\.6 GiB \(threshold 2 GiB\)/);
  assert.match(body, /94\.2%/);
  assert.match(body, /lasted 41m/);
  assert.ok(body.indexOf('HostHighCpu') < body.indexOf('HostMemoryLow') && body.indexOf('HostMemoryLow') < body.indexOf('RESOLVED'), 'critical, warning, then resolved');
  const memFp = events[1]!.fingerprint;
  assert.equal(await page.getByRole('link', { name: 'View alert' }).first().getAttribute('href'), `${EXTERNAL}/alerts/${memFp}`);
  assert.equal(await page.getByRole('link', { name: 'Silence' }).first().getAttribute('href'), `${EXTERNAL}/?silence=${memFp}`);
  assert.equal(await page.getByRole('link', { name: 'cpu=all' }).getAttribute('href'), `${EXTERNAL}/alerts/${events[2]!.fingerprint}`);
  // fits a mail client's reading pane: nothing wider than the viewport
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(Number(overflow) <= 0, `horizontal overflow of ${overflow}px`);

  const png = await page.screenshot({ fullPage: true });
  assert.ok(png.length > 10_000 && png.subarray(1, 4).toString() === 'PNG', 'a screenshot was taken');
  const out = process.env.PRODPULSE_UPDATE_DOCS === '1' ? fileURLToPath(new URL('../../docs/email.png', import.meta.url)) : join(mkdtempSync(join(tmpdir(), 'prodpulse-email-')), 'email.png');
  writeFileSync(out, png);
  assert.deepEqual(requests, [], 'still no request after rendering');
});
