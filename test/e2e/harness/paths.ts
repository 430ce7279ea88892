import { join, resolve } from 'node:path';

/** The repository root, found from this file so that it holds in any clone (CI uses a fresh one). */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Where .ci/install-editor.sh puts code-server. */
export const defaultCodeServerPath = join(repoRoot, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');

/** Failing tests leave their screenshot and logs in test-results/<test name>/ (gitignored). */
export const testResultsDir = join(repoRoot, 'test-results');
