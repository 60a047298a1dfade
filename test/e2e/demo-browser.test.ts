/**
 * `prodpulse demo` in Debian's Chromium (playwright-core): the Demo panel's buttons inject faults through the
 * page script (CSP script-src 'self', same-origin POST), and the live dashboard follows without a reload.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemo, type Demo } from '../../src/cli/demo.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { launchChromium, missingChromium, type LaunchedBrowser } from '../support/browser.ts';
import { docShotPath } from '../support/doc-shot.ts';

const skip = missingChromium();
const SCREENSHOT = docShotPath('demo.png');
let browser: LaunchedBrowser;
let demo: Demo;
const printed: string[] = [];
before(async () => {
  if (skip) return;
  browser = await launchChromium();
  demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: (l) => printed.push(l), env: {} });
});
after(async () => {
  await browser?.close();
  await demo?.stop();
  if (browser) assert.deepEqual(browser.outside, [], 'no request left 127.0.0.1');
});

test('the Demo panel: a click injects HIGH_CPU, the heartbeat row turns DEGRADED live; a version change marks drift on the dependency; RECOVER all heals both', { skip }, async () => {
  const ctx = await browser.context({ viewport: { width: 1200, height: 1100 } });
  const { page, errors } = await browser.page(ctx);
  await page.goto(`${demo.url}/`);
  await page.waitForSelector('#live[data-state="live"]', { timeout: 15_000 });
  await page.waitForSelector('tr[data-heartbeat="payment"][data-status="HEALTHY"]', { timeout: 20_000 });
  await page.click('button.demo-fault[data-target="payment"][data-fault="HIGH_CPU"]');
  await page.waitForSelector('tr[data-demo-target="payment"] .demo-current:text("HIGH_CPU")', { timeout: 5_000 });
  assert.equal(demo.faults.get('payment'), 'HIGH_CPU');
  await page.waitForSelector('tr[data-heartbeat="payment"][data-status="DEGRADED"]', { timeout: 20_000 });
  await page.waitForSelector('#frag-active-alerts tr[data-alert="HIGH_CPU"]', { timeout: 10_000 });
  // the probed dependencies are on the page too: a version change shows drift, live
  await page.waitForSelector('tr[data-service="inventory-api"][data-status="HEALTHY"]', { timeout: 20_000 });
  await page.click('button.demo-fault[data-target="inventory-api"][data-fault="VERSION"]');
  await page.waitForSelector('tr[data-service="inventory-api"][data-status="DEGRADED"] .drift', { timeout: 20_000 });
  await page.waitForSelector('#frag-active-alerts tr[data-alert="VersionDrift"]', { timeout: 10_000 });
  // README's picture of the demo: the top of the page (overview, the Demo panel, the alerts)
  await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1200, height: 850 } });
  await page.click('button.demo-fault[data-target="all"][data-fault="RECOVER"]');
  await page.waitForSelector('tr[data-service="inventory-api"][data-status="HEALTHY"]', { timeout: 20_000 });
  await page.waitForSelector('tr[data-heartbeat="payment"][data-status="HEALTHY"]', { timeout: 20_000 });
  assert.equal(demo.faults.get('payment'), 'NONE');
  assert.ok(printed.some((l) => l.startsWith('[alert firing] HIGH_CPU')), printed.join('\n'));
  assert.deepEqual(errors, []);
  await ctx.close();
});
