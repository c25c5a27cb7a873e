// Drives Debian's chromium (/usr/bin/chromium, installed by .ci/run) through playwright-core for
// the console's browser tests: headless, no sandbox, no network beyond what the page asks for,
// a fresh profile in a temp dir. Screenshots go to a temp dir removed with the test's other temp
// files, or, to look at them, to the directory named by TIDELINE_SCREENSHOTS_DIR (kept); never
// into the repository.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeTempDir } from './cleanup.js';

export const chromiumPath = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  screenshotDir: string;
  /** Saves a full-page screenshot of `page` under screenshotDir; returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = makeTempDir('tideline-chromium-');
  const screenshotDir = process.env.TIDELINE_SCREENSHOTS_DIR ?? makeTempDir('tideline-console-shots-');
  mkdirSync(screenshotDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    screenshotDir,
    async screenshot(name) {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => context.close(),
  };
}
