import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { withTimeout } from './waits';

export interface BrowserOptions {
  /** Default: Debian's chromium; Playwright's own browser builds cannot be downloaded in CI. */
  executablePath?: string;
  /** The limit for every Playwright action and wait that is not given its own (default 15 s). */
  actionTimeoutMs?: number;
  viewport?: { width: number; height: number };
}

/**
 * Flags that keep Chromium from reaching the network on its own (updates, sync, field trials) and
 * let it run as root without a GPU.
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with one page, recording what every page prints to its console. */
export class EditorBrowser {
  /** Console messages and uncaught page errors, oldest first. */
  readonly consoleLines: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    context.on('console', (message) => this.consoleLines.push(`[${message.type()}] ${message.text()}`));
    context.on('weberror', (error) => this.consoleLines.push(`[pageerror] ${error.error().stack ?? error.error().message}`));
  }

  static async launch(options: BrowserOptions = {}): Promise<EditorBrowser> {
    const browser = await chromium.launch({
      executablePath: options.executablePath ?? '/usr/bin/chromium',
      args: chromiumArgs,
      timeout: 30_000,
    });
    try {
      const context = await withTimeout(browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } }), 30_000, 'a browser context');
      context.setDefaultTimeout(options.actionTimeoutMs ?? 15_000);
      const page = await withTimeout(context.newPage(), 30_000, 'a browser page');
      return new EditorBrowser(browser, context, page);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await withTimeout(this.browser.close(), 15_000, 'closing the browser');
  }
}

/** Opens the workbench at `url` and waits until it is shown. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}
