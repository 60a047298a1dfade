import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { missingBinary } from './binaries.ts';

export const CHROMIUM = process.env.PRODPULSE_CHROMIUM ?? '/usr/bin/chromium';

/** Skip reason when Debian's Chromium is missing (CI=true: a failure). Use as a test option: `{ skip: missingChromium() }`. */
export function missingChromium(): string | undefined {
  return missingBinary(CHROMIUM, 'chromium');
}

export interface LaunchedBrowser {
  browser: Browser;
  /** a new context whose requests to anything but 127.0.0.1 fail (and are recorded in `outside`) */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  /** a page that records console errors and page errors */
  page(context: BrowserContext): Promise<{ page: Page; errors: string[] }>;
  /** URLs the pages tried to reach outside 127.0.0.1 */
  outside: string[];
  close(): Promise<void>;
}

/**
 * Debian's Chromium through playwright-core, headless, with a fresh profile, no background networking and
 * nothing allowed off loopback. Wait on DOM state, never on `networkidle`, while an EventSource is open.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    // playwright-core gives every launch a fresh temporary profile (--user-data-dir) of its own
  });
  const outside: string[] = [];
  return {
    browser,
    outside,
    async context(opts) {
      const ctx = await browser.newContext({ ...opts });
      await ctx.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.hostname === '127.0.0.1') return route.continue();
        outside.push(url.href);
        return route.abort('blockedbyclient');
      });
      return ctx;
    },
    async page(ctx) {
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
