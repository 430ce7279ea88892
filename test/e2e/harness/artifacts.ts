import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { Page } from 'playwright-core';
import { CodeServer } from './codeServer';
import { testResultsDir } from './paths';
import { waitUntil } from './waits';

export interface ArtifactSources {
  /** Screenshot of this page. */
  page?: Page;
  /** Its stdout/stderr and its user-data-dir logs (server, extension host, output channels). */
  server?: CodeServer;
  /** What the browser pages printed to their consoles. */
  consoleLines?: string[];
  /** The failure, with its stack and cause. */
  error?: unknown;
  /** More files, by path relative to the artifacts folder. */
  files?: ReadonlyMap<string, string>;
}

/** A test name as a single folder name. */
export function artifactsDirFor(testName: string): string {
  const safe = testName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, 120) || 'unnamed';
  return join(testResultsDir, safe);
}

/**
 * Writes everything useful for a post-mortem into test-results/<test name>/ and returns that path.
 * Each part is saved on its own, so that one failing (say, the page has crashed and cannot take a
 * screenshot) does not lose the others; such failures are written to artifact-errors.txt.
 */
export async function saveArtifacts(testName: string, sources: ArtifactSources): Promise<string> {
  const dir = artifactsDirFor(testName);
  // A previous run's files would be mistaken for this run's.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  const attempt = async (what: string, save: () => unknown): Promise<void> => {
    try {
      await save();
    } catch (error) {
      problems.push(`${what}: ${inspect(error)}`);
    }
  };

  if (sources.error !== undefined) await attempt('error', () => writeFileSync(join(dir, 'error.txt'), `${inspect(sources.error, { depth: 5 })}\n`));
  const page = sources.page;
  if (page) await attempt('screenshot', () => page.screenshot({ path: join(dir, 'screenshot.png'), timeout: 10_000 }));
  if (sources.consoleLines) await attempt('browser console', () => writeFileSync(join(dir, 'browser-console.log'), sources.consoleLines!.join('\n')));
  const server = sources.server;
  if (server) {
    await attempt('code-server output', () => writeFileSync(join(dir, 'code-server.log'), server.log));
    await attempt('editor logs', async () => {
      await waitForQuiet(server.logsDir);
      if (existsSync(server.logsDir)) cpSync(server.logsDir, join(dir, 'logs'), { recursive: true });
    });
  }
  for (const [path, contents] of sources.files ?? []) {
    await attempt(path, () => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), contents);
    });
  }
  if (problems.length > 0) writeFileSync(join(dir, 'artifact-errors.txt'), problems.join('\n\n'));
  return dir;
}

/** Names and sizes of all files below `dir`, as one string to compare. */
function snapshot(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => {
      try {
        return `${path}:${statSync(join(dir, path)).size}`;
      } catch {
        return path; // removed meanwhile (log rotation)
      }
    })
    .sort()
    .join('\n');
}

/**
 * The extension host writes its logs and output channels asynchronously: an output channel's file
 * appears hundreds of milliseconds after its first line. Copying at once loses the last lines, often
 * the ones that explain the failure, so wait until nothing has changed for `quietMs` (at most `timeoutMs`).
 */
async function waitForQuiet(dir: string, quietMs = 1_000, timeoutMs = 5_000): Promise<void> {
  let last = snapshot(dir);
  let quietSince = Date.now();
  await waitUntil(
    () => {
      const now = snapshot(dir);
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
      return Date.now() - quietSince >= quietMs;
    },
    { timeoutMs, intervalMs: 200, what: `logs in ${dir} to stop changing` },
  ).catch(() => undefined); // still changing after timeoutMs: copy what is there
}
