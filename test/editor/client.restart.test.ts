/**
 * The backend's life cycle with purpose-built servers: one that crashes after starting (restarted
 * up to the policy's limit, then a clear status) and one that ignores shutdown (stopped anyway).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageBackend } from '../../client/src/backend/languageBackend';
import { RestartPolicy } from '../../client/src/backend/restartPolicy';
import type { BackendSettings } from '../../server/src/protocol/protocol';
import { eventually } from '../support/eventually';
import { test } from './runner';

const settings: BackendSettings = {
  serverUrl: '',
  streamName: 'S',
  subjectPrefix: 'p',
  context: '',
  natsServerPath: '',
  embeddedServer: 'never',
  tailRateLimit: 1,
  maxIndexedJobs: 1_000,
  storagePath: tmpdir(),
  secrets: {},
};

/** A language server script; `behaviour` runs after initialisation. Each start appends its pid to `starts`. */
function fakeServer(dir: string, behaviour: string): string {
  // From the repository's node_modules, above this suite's bundle (dist/test/editor/): the extension
  // under test is the installed package, which bundles its dependencies and ships no node_modules.
  const languageServer = join(__dirname, '..', '..', '..', 'node_modules', 'vscode-languageserver', 'lib', 'node', 'main.js');
  const file = join(dir, `server-${Math.random().toString(16).slice(2)}.js`);
  writeFileSync(
    file,
    `const { createConnection, ProposedFeatures } = require(${JSON.stringify(languageServer)});
require('fs').appendFileSync(${JSON.stringify(join(dir, 'starts'))}, process.pid + '\\n');
const connection = createConnection(ProposedFeatures.all);
connection.onInitialize(() => ({ capabilities: {} }));
connection.onRequest('connection/getState', () => ({ phase: 'connected', detail: 'fake backend' }));
connection.onInitialized(() => { ${behaviour} });
connection.listen();
`,
  );
  return file;
}

function backendFor(serverModule: string, policy: RestartPolicy, log: vscode.LogOutputChannel): LanguageBackend {
  const context = { asAbsolutePath: (path: string) => path } as unknown as vscode.ExtensionContext;
  return new LanguageBackend({ context, log, settings: async () => settings, serverModule, restartPolicy: policy });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(
  'client: a crashing backend is restarted up to the limit, then the status says so',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'naq-crash-'));
    const log = vscode.window.createOutputChannel('NAQ test: crash', { log: true });
    const backend = backendFor(fakeServer(dir, 'setTimeout(() => process.exit(3), 300);'), new RestartPolicy(2, 60_000), log);
    try {
      await backend.start();
      const state = await eventually(
        'the backend given up on',
        () => backend.state.phase === 'disconnected' && /stopped 2 times in 1 minute/.test(backend.state.detail) && backend.state,
        30_000,
      );
      assert.match(state.detail, /NAQ: Connect/);
      assert.equal(backend.running, false);
      const starts = readFileSync(join(dir, 'starts'), 'utf8').trim().split('\n');
      assert.equal(starts.length, 3, 'the first start and two restarts');
    } finally {
      await backend.stop();
      log.dispose();
    }
  },
  { timeoutMs: 45_000 },
);

test(
  'client: a backend that ignores shutdown is stopped anyway',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'naq-hang-'));
    const log = vscode.window.createOutputChannel('NAQ test: hang', { log: true });
    const server = fakeServer(dir, 'connection.onShutdown(() => new Promise(() => {}));');
    const backend = backendFor(server, new RestartPolicy(), log);
    await backend.start();
    assert.equal(backend.running, true);
    assert.equal(backend.state.detail, 'fake backend');
    const pid = Number(readFileSync(join(dir, 'starts'), 'utf8').trim());
    // The server never answers the shutdown: stop() resolving at all shows it did not wait for it.
    await backend.stop();
    await eventually('the hung server process to be gone', () => !alive(pid), 10_000);
    assert.equal(backend.state.phase, 'disconnected');
    log.dispose();
    assert.ok(existsSync(server));
  },
  { timeoutMs: 30_000 },
);
