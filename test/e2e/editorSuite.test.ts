/**
 * The in-editor suite (test/editor, bundled by `npm run build:editor-tests`) run inside code-server's
 * extension host, against a real nats-server named in the user settings: the same suite
 * `npm run test:electron` runs in a desktop VS Code.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NatsServer } from '../support/natsServer';
import { killDescendantsOnExit, WORKSPACE_FIXTURE } from './fixtures/editorSession';
import { extensionId, packagedExtension, repoRoot, runEditorSuite, withEditor } from './harness';

killDescendantsOnExit();

const SUITE = join(repoRoot, 'dist', 'test', 'editor', 'index.js');

test('g. the in-editor suite passes inside code-server against a running NATS', { timeout: 330_000 }, async (t) => {
  assert.ok(existsSync(SUITE), `${SUITE} is missing: run npm run build:editor-tests`);
  const vsix = packagedExtension((line) => t.diagnostic(line));
  const nats = await NatsServer.start();
  const workspace = mkdtempSync(join(tmpdir(), 'naq-e2e-workspace-'));
  cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
  try {
    await withEditor(
      t,
      {
        workspace,
        // Installed from the package, and that installed folder is the development extension the
        // suite's payload names: the suite runs against exactly what a user gets.
        vsix,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
        openWorkbench: false,
      },
      async ({ page, server, attach }) => {
        let result;
        try {
          result = await runEditorSuite({ page, server, attach }, { extensionDevelopmentPath: server.installedExtensionPath(extensionId()), extensionTestsPath: SUITE, timeoutMs: 300_000 });
        } finally {
          attach('nats-server.log', nats.log);
        }
        const summary = result.log.filter((line) => /\b(ok|not ok) - |in-editor suite:/.test(line));
        for (const line of summary) t.diagnostic(line.replace(/\s+/g, ' ').slice(0, 300));
        assert.equal(result.exitCode, 0, `the in-editor suite failed:\n${result.log.join('\n')}`);
        assert.ok(
          result.log.some((line) => /in-editor suite: [1-9]\d* passed, 0 failed/.test(line)),
          `no passing summary line in the suite's log:\n${result.log.join('\n')}`,
        );
      },
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    await nats.dispose();
  }
});
