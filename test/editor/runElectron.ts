/**
 * Runs the in-editor suite in a desktop VS Code through @vscode/test-electron, which downloads
 * VS Code (so it needs the internet; CI uses code-server through test/e2e instead). Bundle the suite
 * first (see index.ts), then: tsx test/editor/runElectron.ts
 */
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../e2e/harness/paths';

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'naq-electron-workspace-'));
  try {
    // Rejects when the suite fails (VS Code exits non-zero).
    await runTests({
      // The VS Code that code-server 4.100.3 is built from, so both runs test against the same editor.
      version: '1.100.3',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'dist', 'test', 'editor', 'index.js'),
      launchArgs: [workspace, '--disable-extensions'],
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
