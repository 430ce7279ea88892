import { Browser, BrowserContext, Page } from 'playwright-core';
import { saveArtifacts } from './artifacts';
import { BrowserOptions, EditorBrowser, openWorkbench } from './browser';
import { CodeServer, CodeServerOptions } from './codeServer';

export interface EditorOptions extends CodeServerOptions {
  /**
   * Open the workbench before the body runs (default true). False leaves the page blank, for
   * runEditorSuite, which opens the workbench itself: loading it twice would start two extension hosts.
   */
  openWorkbench?: boolean;
  /** For loading the workbench (default 60 s). */
  workbenchTimeoutMs?: number;
  browser?: BrowserOptions;
}

export interface EditorContext {
  server: CodeServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Keeps a file to be saved with the other artifacts if the test fails. */
  attach(path: string, contents: string): void;
}

/** What withEditor needs of node:test's TestContext. */
export interface TestLike {
  /** Names the artifacts folder, so it should be unique among the tests of a run. */
  readonly name: string;
  diagnostic(message: string): void;
}

/**
 * Runs `body` against a fresh code-server and browser, then tears both down whatever happens. If
 * anything fails (start-up included) a screenshot and the editor's logs go to test-results/<test name>/.
 *
 *   test('shows jobs', (t) => withEditor(t, { workspace, extensionPath }, async ({ page }) => { ... }));
 */
export async function withEditor(t: TestLike, options: EditorOptions, body: (ctx: EditorContext) => Promise<void>): Promise<void> {
  const attachments = new Map<string, string>();
  let server: CodeServer | undefined;
  let browser: EditorBrowser | undefined;
  let failure: { error: unknown } | undefined;
  try {
    server = await CodeServer.start(options);
    browser = await EditorBrowser.launch(options.browser);
    if (options.openWorkbench !== false) await openWorkbench(browser.page, server.workbenchUrl(), options.workbenchTimeoutMs);
    const { browser: chromium, context, page } = browser;
    await body({ server, browser: chromium, context, page, attach: (path, contents) => attachments.set(path, contents) });
  } catch (error) {
    failure = { error };
    try {
      const dir = await saveArtifacts(t.name, { error, page: browser?.page, server, consoleLines: browser?.consoleLines, files: attachments });
      t.diagnostic(`editor artifacts: ${dir}`);
    } catch (saveError) {
      // Teardown below must still run.
      t.diagnostic(`saving editor artifacts failed: ${String(saveError)}`);
    }
  }

  // Both steps run even if the first fails; a teardown error fails the test only if nothing else did.
  const teardownErrors: unknown[] = [];
  for (const step of [() => browser?.close(), () => server?.stop()]) {
    try {
      await step();
    } catch (error) {
      teardownErrors.push(error);
    }
  }
  if (failure) {
    for (const error of teardownErrors) t.diagnostic(`teardown also failed: ${String(error)}`);
    throw failure.error;
  }
  if (teardownErrors.length > 0) throw new AggregateError(teardownErrors, 'editor teardown failed');
}
