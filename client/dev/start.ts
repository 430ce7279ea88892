/**
 * `npm start`: the product as a new user meets it. The extension runs in a real VS Code (code-server,
 * installed by .ci/setup.sh) with nothing configured, so its backend takes its default: the NATS
 * server on 127.0.0.1:4222. That server is started here the way the extension's embedded mode starts
 * one (nats-server with JetStream, its store kept in .tools/run/nats-store) unless one already
 * answers there, and one sample lifecycle of each kind is stored in it, with the job ids the sample
 * workspace's worker logs mention (hover one). Runs until Ctrl-C, then stops code-server and the
 * nats-server it started.
 *
 *   NAQ_EDITOR_PORT   the editor's port on 127.0.0.1 (default 8080)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { DEFAULT_SERVER_URL } from '../../server/src/config/serverUrls';
import { EmbeddedNats, findNatsServer } from '../../server/src/embedded/embeddedNats';
import { defaultServerAnswers, INSTALL_HINT } from '../../server/src/backend/natsTarget';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { QUIET_EDITOR_SETTINGS } from '../../test/e2e/harness/codeServer';
import { stopProcessTree } from '../../test/e2e/harness/processTree';
import { emitSampleJobs, SAMPLE_JOBS } from '../../test/e2e/fixtures/sampleJobs';

const ROOT = resolve(__dirname, '..', '..');
const RUN_DIR = join(ROOT, '.tools', 'run');
const NATS_STORE = join(RUN_DIR, 'nats-store');
const EDITOR_DIR = join(RUN_DIR, 'editor');
const WORKSPACE = join(ROOT, 'test', 'e2e', 'fixtures', 'workspace');
const CODE_SERVER = join(ROOT, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
/** Variables that would point the extension at another server than the one with the samples. */
const SERVER_VARIABLES = ['NAQ_EVENT_STORAGE_URL', 'NAQ_JOB_QUEUE_URL'];

/**
 * Quiet defaults for the editor profile, added where the profile's settings do not have them (what
 * the user changed stays); nothing of NAQ's own is configured.
 */
const EDITOR_SETTINGS: Record<string, unknown> = {
  ...QUIET_EDITOR_SETTINGS,
  'workbench.startupEditor': 'readme',
  // The sample workspace lies inside this repository: no prompt to open the parent repository.
  'git.openRepositoryInParentFolders': 'never',
};

class StartError extends Error {}

const show = (path: string): string => relative(process.cwd(), path) || '.';

function editorPort(): number {
  const raw = process.env.NAQ_EDITOR_PORT?.trim() || '8080';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new StartError(`NAQ_EDITOR_PORT must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  return port;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** The NATS server the extension's default finds: one already on 4222, or one started here. */
async function natsServer(): Promise<{ url: string; started?: EmbeddedNats }> {
  if (await defaultServerAnswers()) return { url: DEFAULT_SERVER_URL };
  const binary = findNatsServer('');
  if (!binary) throw new StartError(INSTALL_HINT);
  const started = await EmbeddedNats.start(binary, NATS_STORE);
  return { url: started.url, started };
}

/** Stores the sample lifecycles the stream does not hold yet; returns the ids stored now. */
async function storeSamples(url: string): Promise<string[]> {
  let storage: EventStorage;
  try {
    storage = await EventStorage.open({
      connection: { servers: url, maxReconnectAttempts: 0 },
      streamName: DEFAULT_SETTINGS.streamName,
      subjectPrefix: DEFAULT_SETTINGS.subjectPrefix,
      timeoutMs: 10_000,
    });
  } catch (error) {
    throw new StartError(`cannot use the NATS server at ${url} (it needs JetStream): ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return await emitSampleJobs(storage);
  } finally {
    await storage.close();
  }
}

/** code-server's arguments for a profile kept in .tools/run/editor, with the extension linked in. */
function editorProfile(port: number): string[] {
  const userDataDir = join(EDITOR_DIR, 'user-data');
  const extensionsDir = join(EDITOR_DIR, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet, or edited into something that is not plain JSON (comments): then it is left alone
    if (existsSync(settingsFile)) settings = { ...EDITOR_SETTINGS };
  }
  if (Object.keys(EDITOR_SETTINGS).some((key) => !(key in settings))) {
    writeFileSync(settingsFile, `${JSON.stringify({ ...EDITOR_SETTINGS, ...settings }, null, 2)}\n`);
  }

  // The extension is this folder, linked in under its installed name; a link left by an older version goes.
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const prefix = `${manifest.publisher}.${manifest.name}-`;
  for (const entry of readdirSync(extensionsDir)) {
    if (entry.startsWith(prefix) && lstatSync(join(extensionsDir, entry)).isSymbolicLink()) rmSync(join(extensionsDir, entry));
  }
  symlinkSync(ROOT, join(extensionsDir, `${prefix}${manifest.version}`));

  // Its own config file: otherwise code-server reads, and on first run writes, ~/.config/code-server.
  const configFile = join(EDITOR_DIR, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  return [
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    WORKSPACE,
  ];
}

function startEditor(port: number, logFile: string, natsUrl: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // code-server keeps its own state (last opened folder, heartbeat) there.
    XDG_DATA_HOME: join(EDITOR_DIR, 'data'),
    // No extension gallery: its default (open-vsx.org) may be unreachable, and every lookup logs an error.
    EXTENSIONS_GALLERY: '{}',
  };
  for (const name of SERVER_VARIABLES) {
    if (env[name]) console.log(`note: ${name} is set; the editor is started without it, so that the extension uses the server with the samples.`);
    delete env[name];
  }
  if (natsUrl !== DEFAULT_SERVER_URL) {
    // 4222 was taken when the server started: tell the extension, as a user would, where it is.
    env.NAQ_EVENT_STORAGE_URL = natsUrl;
  }
  const log = openSync(logFile, 'w');
  // A process group of its own: Ctrl-C reaches this process, which then stops code-server and all it started.
  return spawn(CODE_SERVER, editorProfile(port), { detached: true, stdio: ['ignore', log, log], env });
}

async function waitUntilAnswering(editor: ChildProcess, url: string, logFile: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (editor.exitCode !== null || editor.signalCode !== null) {
      throw new StartError(`code-server exited (${editor.exitCode ?? editor.signalCode}) before answering; its log:\n${tail(logFile)}`);
    }
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StartError(`code-server did not answer on ${url} within ${timeoutMs / 1000} s; its log:\n${tail(logFile)}`);
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The workbench address; the folder path stays readable. */
function workbenchUrl(port: number): string {
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE).replace(/%2F/g, '/')}`;
}

async function main(): Promise<number> {
  const port = editorPort();
  if (!existsSync(CODE_SERVER)) throw new StartError(`code-server is not installed at ${show(CODE_SERVER)}: run bash .ci/setup.sh`);
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) throw new StartError('the extension is not built: run npm run build');
  if (!(await portFree(port))) throw new StartError(`port ${port} on 127.0.0.1 is in use: stop what uses it, or choose another with NAQ_EDITOR_PORT=…`);

  let nats: { url: string; started?: EmbeddedNats } | undefined;
  let editor: ChildProcess | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (editor?.pid !== undefined) {
      process.stdout.write('Stopping code-server… ');
      await stopProcessTree(editor.pid).catch((error: unknown) => console.error(`\ncould not stop code-server: ${String(error)}`));
      console.log('done.');
    }
    if (nats?.started) {
      process.stdout.write('Stopping nats-server… ');
      await nats.started.stop().catch((error: unknown) => console.error(`\ncould not stop nats-server: ${String(error)}`));
      console.log('done.');
    }
  };
  // Registered before anything starts, so that Ctrl-C during start-up also cleans up.
  const interrupted = new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  const startUp = async (): Promise<void> => {
    nats = await natsServer();
    console.log(nats.started ? `NATS      started nats-server with JetStream on ${nats.url} (store ${show(NATS_STORE)})` : `NATS      using the server already on ${nats.url}`);
    const stored = await storeSamples(nats.url);
    const missing = SAMPLE_JOBS.map((j) => j.jobId).filter((id) => !stored.includes(id));
    if (stored.length > 0) console.log(`samples   stored ${stored.length} job lifecycles in ${DEFAULT_SETTINGS.streamName}: ${stored.join(', ')}`);
    if (missing.length > 0) console.log(`samples   already in the stream: ${missing.join(', ')}`);
    mkdirSync(EDITOR_DIR, { recursive: true });
    const logFile = join(EDITOR_DIR, 'code-server.log');
    if (stopping) return; // Ctrl-C came meanwhile: start nothing more
    editor = startEditor(port, logFile, nats.url);
    await waitUntilAnswering(editor, `http://127.0.0.1:${port}`, logFile);
    console.log(`editor    code-server with the extension, profile ${show(EDITOR_DIR)}, log ${show(logFile)}`);
    // The tests install the packaged .vsix instead (test/e2e/harness/vsix.ts); this is for quick iteration.
    console.log(`extension the development copy linked from ${show(ROOT)} (not the packaged .vsix: npm run package builds that)`);
    console.log('');
    console.log(`Open ${workbenchUrl(port)}`);
    console.log('Press Ctrl-C to stop.');
  };

  const starting = startUp();
  // After a Ctrl-C, start-up may still fail on its way out (its server stopped under it): nobody waits for it then.
  starting.catch(() => undefined);
  const outcome = await Promise.race([starting.then(() => 'started' as const), interrupted.then(() => 'interrupted' as const)]).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  if (outcome === 'interrupted') {
    await stop();
    return 130;
  }
  const exited = new Promise<string>((done) => editor!.once('exit', (code, signal) => done(String(code ?? signal))));
  const ended = await Promise.race([interrupted.then(() => null), exited]);
  if (ended !== null) console.error(`code-server exited (${ended}); see ${show(join(EDITOR_DIR, 'code-server.log'))}`);
  await stop();
  return ended === null ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`npm start: ${error instanceof StartError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
