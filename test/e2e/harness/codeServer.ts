import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../support/natsServer';
import { defaultCodeServerPath } from './paths';
import { killTreeOnExit, stopProcessTree } from './processTree';
import { TimeoutError, waitUntil, withTimeout } from './waits';

export interface CodeServerOptions {
  /** The folder opened as the workspace. */
  workspace: string;
  /**
   * An extension folder to load, as if installed: linked into the extensions dir under the name
   * `publisher.name-version` taken from its package.json.
   */
  extensionPath?: string;
  /** A packaged extension to install with `code-server --install-extension`, as a user would. */
  vsix?: string;
  /** User settings, written to User/settings.json over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment variables for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** How long code-server may take to answer HTTP (default 30 s). */
  startTimeoutMs?: number;
  /** The code-server launcher (default: the one .ci/install-editor.sh installs). */
  codeServerPath?: string;
}

/**
 * Settings that keep the fresh profile quiet and deterministic: no welcome page or tips over the
 * editor area, and nothing that tries to reach the internet (there is none in CI).
 */
export const QUIET_EDITOR_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
};

/** A running code-server with a profile of its own in a temp dir. */
export class CodeServer {
  private output = '';
  private readonly unregisterExitHook: () => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly workspace: string,
    /** Holds the user-data-dir, the extensions dir and code-server's config; removed by stop(). */
    readonly tempDir: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    // Without a listener, a later 'error' event would crash the test process.
    child.on('error', (error) => (this.output += `\n[harness] code-server process error: ${error.message}\n`));
    this.unregisterExitHook = killTreeOnExit(child.pid!);
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const bin = options.codeServerPath ?? defaultCodeServerPath;
    if (!existsSync(bin)) throw new Error(`code-server not found at ${bin}: run bash .ci/install-editor.sh`);
    const workspace = resolve(options.workspace);
    // code-server would silently open an empty window instead.
    if (!existsSync(workspace)) throw new Error(`workspace folder ${workspace} does not exist`);
    const tempDir = mkdtempSync(join(tmpdir(), 'naq-editor-'));
    let child: ChildProcess;
    let port: number;
    try {
      const args = prepareProfile(tempDir, options);
      if (options.vsix !== undefined) installVsix(bin, args, resolve(options.vsix), join(tempDir, 'data'));
      port = await freePort();
      child = spawn(bin, [...args, '--bind-addr', `127.0.0.1:${port}`, workspace], {
        // A process group of its own, so that stop() can end everything code-server started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // code-server keeps its own state (last opened folder, heartbeat) there: keep it in the temp dir.
          XDG_DATA_HOME: join(tempDir, 'data'),
          // No extension gallery: its default (open-vsx.org) cannot be reached in CI and every lookup logs an error.
          EXTENSIONS_GALLERY: '{}',
          ...options.env,
        },
      });
      // Rejects with the 'error' event (say, EACCES) if it could not be started at all.
      await withTimeout(once(child, 'spawn'), 10_000, 'code-server to spawn');
    } catch (error) {
      rmSync(tempDir, { recursive: true, force: true });
      throw error;
    }
    const server = new CodeServer(child, port, workspace, tempDir);
    try {
      await server.waitUntilAnswering(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The remote authority the workbench uses for this server in vscode-remote:// URIs. */
  get authority(): string {
    return `127.0.0.1:${this.port}`;
  }

  get userDataDir(): string {
    return join(this.tempDir, 'user-data');
  }

  get extensionsDir(): string {
    return join(this.tempDir, 'extensions');
  }

  /** The folder an installed extension was unpacked into (`publisher.name-version`), by its id. */
  installedExtensionPath(id: string): string {
    const prefix = `${id.toLowerCase()}-`;
    const found = readdirSync(this.extensionsDir).filter((entry) => entry.toLowerCase().startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one installed ${id} in ${this.extensionsDir}, found: ${found.join(', ') || 'none'}`);
    return join(this.extensionsDir, found[0]!);
  }

  /** Server, extension host and output channel logs, one sub-folder per session. */
  get logsDir(): string {
    return join(this.userDataDir, 'logs');
  }

  /** The workbench URL for the workspace, with extra query parameters. */
  workbenchUrl(query: Record<string, string> = {}): string {
    const params = new URLSearchParams({ folder: this.workspace, ...query });
    return `${this.url}/?${params.toString()}`;
  }

  /** What code-server printed on stdout and stderr so far. */
  get log(): string {
    return this.output;
  }

  private async waitUntilAnswering(timeoutMs: number): Promise<void> {
    try {
      await waitUntil(
        async () => {
          if (this.child.exitCode !== null || this.child.signalCode !== null) {
            throw new Error(`code-server exited (${this.child.exitCode ?? this.child.signalCode}) before answering:\n${this.output}`);
          }
          try {
            const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
            return response.ok;
          } catch {
            return false; // not listening yet
          }
        },
        { timeoutMs, intervalMs: 200, what: `code-server to answer on ${this.url}/healthz` },
      );
    } catch (error) {
      if (error instanceof TimeoutError) throw new TimeoutError(`${error.message}; its output:\n${this.output}`);
      throw error;
    }
  }

  /** Stops code-server and every process it started, then deletes the temp dir (save logs first). */
  async stop(): Promise<void> {
    try {
      await stopProcessTree(this.child.pid!);
    } finally {
      this.unregisterExitHook();
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}

/** Writes settings, extensions dir and config under `tempDir`; returns the code-server arguments for them. */
function prepareProfile(tempDir: string, options: CodeServerOptions): string[] {
  const userDataDir = join(tempDir, 'user-data');
  const extensionsDir = join(tempDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_EDITOR_SETTINGS, ...options.settings }, null, 2));
  if (options.extensionPath !== undefined) linkExtension(resolve(options.extensionPath), extensionsDir);
  // Its own config file: otherwise code-server reads, and on first run writes, ~/.config/code-server.
  const configFile = join(tempDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  return [
    '--config', configFile,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
}

/**
 * `code-server --install-extension` with the profile's own arguments: unpacks the package into the
 * fresh extensions dir and registers it there, as installing from a file does for a user.
 */
function installVsix(bin: string, profileArgs: string[], vsix: string, dataHome: string): void {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run npm run package`);
  try {
    execFileSync(bin, [...profileArgs, '--install-extension', vsix], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: dataHome, EXTENSIONS_GALLERY: '{}' },
      timeout: 120_000,
    });
  } catch (error) {
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`installing ${vsix} failed: ${String(error)}\n${output}`);
  }
}

function linkExtension(extensionPath: string, extensionsDir: string): void {
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8')) as {
    publisher?: string;
    name?: string;
    version?: string;
  };
  if (!manifest.publisher || !manifest.name || !manifest.version) {
    throw new Error(`${extensionPath}/package.json needs publisher, name and version`);
  }
  symlinkSync(extensionPath, join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
}
