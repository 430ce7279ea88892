import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { Disposable, Page } from 'playwright-core';
import { CodeServer } from './codeServer';
import { TimeoutError, withTimeout } from './waits';

export interface EditorSuiteOptions {
  /** The extension under test (the folder with its package.json). */
  extensionDevelopmentPath: string;
  /** The compiled suite module whose `run(): Promise<void>` the extension host calls. */
  extensionTestsPath: string;
  /** For loading the workbench and running the whole suite (default 120 s). */
  timeoutMs?: number;
}

/** A log file of the workbench itself; the browser keeps these in IndexedDB, not on disk. */
export interface WindowLogFile {
  relativePath: string;
  contents: string;
}

export interface EditorSuiteResult {
  /** 0 when run() resolved; 1 when it threw. */
  exitCode: number;
  /** What the suite printed (its console output reaches the workbench), one entry per call. */
  log: string[];
  windowLogs: WindowLogFile[];
}

export interface EditorSuiteTarget {
  /** A page on which no suite has run yet: the automation hooks can be exposed once per page. */
  page: Page;
  server: CodeServer;
  /** When given (withEditor's context has it), the suite log and window logs are kept as artifacts. */
  attach?(path: string, contents: string): void;
}

/**
 * Runs an in-editor test suite (the kind @vscode/test-electron runs) in code-server: the workbench is
 * opened with a `payload` naming the extension and the suite; the extension host requires the suite,
 * calls its run() and exits with its outcome; the workbench reports the exit code to the page's
 * `codeAutomationExit`, and log lines to `codeAutomationLog`.
 */
export async function runEditorSuite(target: EditorSuiteTarget, options: EditorSuiteOptions): Promise<EditorSuiteResult> {
  const { page, server } = target;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const log: string[] = [];
  let reportExit!: (exit: { code: number; logs: WindowLogFile[] }) => void;
  const exited = new Promise<{ code: number; logs: WindowLogFile[] }>((resolve) => (reportExit = resolve));

  const expose = (name: string, callback: (...args: never[]) => void): Promise<Disposable> =>
    withTimeout(page.exposeFunction(name, callback), 10_000, `exposing ${name} on the page`);
  const bindings = [
    await expose('codeAutomationLog', (type: string, args: unknown[]) => {
      log.push(`[${type}] ${args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')}`);
    }),
    await expose('codeAutomationExit', (code: number, logs: WindowLogFile[]) => reportExit({ code, logs })),
  ];
  const remote = (path: string): string => `vscode-remote://${server.authority}${encodeURI(resolve(path))}`;
  const payload = [
    ['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)],
    ['extensionTestsPath', remote(options.extensionTestsPath)],
    ['skipWelcome', 'true'],
  ];
  try {
    const started = Date.now();
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }), { timeout: timeoutMs });
    const exit = await withTimeout(exited, timeoutMs - (Date.now() - started), 'the in-editor suite to finish');
    for (const file of exit.logs) target.attach?.(`window-logs/${file.relativePath}`, file.contents);
    return { exitCode: exit.code, log, windowLogs: exit.logs };
  } catch (error) {
    if (error instanceof TimeoutError) throw new TimeoutError(`${error.message}; its log so far:\n${log.join('\n')}`);
    throw error;
  } finally {
    target.attach?.('editor-suite.log', log.join('\n'));
    // A crashed or closed page has dropped the bindings already; that must not hide the real error.
    for (const binding of bindings) await binding.dispose().catch(() => undefined);
  }
}
