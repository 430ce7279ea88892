import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { createMessageConnection, MessageConnection, NotificationType, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { BACKEND_EXEC_ARGV } from '../../server/src/backend/runtime';
import { DEFAULT_MAX_INDEXED_JOBS } from '../../server/src/config/defaults';
import { BackendSettings, ConnectionState, ConnectionStateNotification, IndexChange, IndexChangedNotification, TailBatch, TailEventsNotification } from '../../server/src/protocol/protocol';

export const SERVER_JS = join(__dirname, '..', '..', 'dist', 'server.js');

export function backendSettings(overrides: Partial<BackendSettings> = {}): BackendSettings {
  return {
    serverUrl: '',
    streamName: 'NAQ_JOB_EVENTS',
    subjectPrefix: 'naq.jobs.events',
    context: '',
    natsServerPath: '',
    embeddedServer: 'never',
    tailRateLimit: 200,
    maxIndexedJobs: DEFAULT_MAX_INDEXED_JOBS,
    storagePath: '',
    secrets: {},
    ...overrides,
  };
}

export interface BackendStartOptions {
  /** Folders sent as the LSP `workspaceFolders`, as an editor with a workspace open does: failures map into them. */
  readonly workspaceFolders?: readonly string[];
}

/** A notification's payload and when it arrived (`performance.now()`), for benchmarks that time them. */
export interface Arrival<T> {
  readonly value: T;
  readonly at: number;
}

/** The backend as the editor runs it: a child process speaking JSON-RPC, here over stdio. */
export class BackendProcess {
  readonly states: ConnectionState[] = [];
  readonly changes: IndexChange[] = [];
  readonly tails: TailBatch[] = [];
  readonly logs: string[] = [];
  /** `textDocument/publishDiagnostics` as received; `nextDiagnostics` consumes them. */
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  private stderr = '';
  /** Probes of `nextNotified`, run as each notification arrives. */
  private readonly watchers = new Set<() => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly rpc: MessageConnection,
    private readonly home: string,
  ) {}

  static async start(settings: BackendSettings, env: NodeJS.ProcessEnv = {}, options: BackendStartOptions = {}): Promise<BackendProcess> {
    // A private config home: a NATS CLI context selected on this machine must not leak into the tests.
    const home = mkdtempSync(join(tmpdir(), 'naq-backend-home-'));
    const child = spawn(process.execPath, [...BACKEND_EXEC_ARGV, SERVER_JS, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...env },
    });
    const rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const backend = new BackendProcess(child, rpc, home);
    child.stderr?.on('data', (d: Buffer) => (backend.stderr += d.toString()));
    rpc.onNotification(ConnectionStateNotification.type, (state) => {
      backend.states.push(state);
      backend.notified();
    });
    rpc.onNotification(IndexChangedNotification.type, (change) => {
      backend.changes.push(change);
      backend.notified();
    });
    rpc.onNotification(new NotificationType<PublishDiagnosticsParams>('textDocument/publishDiagnostics'), (params) => {
      backend.diagnostics.push(params);
      backend.notified();
    });
    rpc.onNotification(TailEventsNotification.type, (batch) => {
      backend.tails.push(batch);
    });
    rpc.onNotification(new NotificationType<{ type: number; message: string }>('window/logMessage'), (m) => {
      backend.logs.push(m.message);
    });
    rpc.listen();
    const workspaceFolders = options.workspaceFolders?.map((folder, i) => ({ uri: pathToFileURL(folder).href, name: `folder-${i}` })) ?? null;
    await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders, initializationOptions: settings });
    await rpc.sendNotification('initialized', {});
    return backend;
  }

  get state(): ConnectionState | undefined {
    return this.states[this.states.length - 1];
  }

  get output(): string {
    return `${this.stderr}\n${this.logs.join('\n')}`;
  }

  /** Waits until `predicate` holds, polling; fails with what was seen instead of hanging. */
  async until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) {
        throw new Error(`${what}: not within ${timeoutMs} ms; last state ${JSON.stringify(this.state)}\n${this.output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Resolves with the first value `probe` gives, tried now and then as each notification arrives (no polling, so
   * `at` is when the deciding notification was handled); fails after `timeoutMs` with what was seen.
   */
  nextNotified<T>(what: string | (() => string), probe: () => T | undefined, timeoutMs = 20_000): Promise<Arrival<T>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        this.watchers.delete(check);
        clearTimeout(timer);
        resolve({ value, at: performance.now() });
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs} ms; last state ${JSON.stringify(this.state)}\n${this.output.slice(-2000)}`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  /**
   * The first diagnostics published for `uri` that `accept` takes, looking at those received since the last
   * match; the ones seen up to the match are consumed, so the next call waits for newer ones.
   */
  nextDiagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean, what: string, timeoutMs = 20_000): Promise<Arrival<PublishDiagnosticsParams>> {
    return this.nextNotified(
      () => `diagnostics ${what} (seen since the last match: ${JSON.stringify(this.diagnostics.map((p) => p.diagnostics.map((d) => d.message)))})`,
      () => {
        const index = this.diagnostics.findIndex((params) => params.uri === uri && accept(params));
        if (index < 0) return undefined;
        const params = this.diagnostics[index]!;
        this.diagnostics.splice(0, index + 1);
        return params;
      },
      timeoutMs,
    );
  }

  untilPhase(phase: ConnectionState['phase'], timeoutMs?: number): Promise<ConnectionState> {
    return this.until(`phase ${phase}`, () => (this.state?.phase === phase ? this.state : undefined), timeoutMs);
  }

  private notified(): void {
    for (const check of [...this.watchers]) check();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      try {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.rpc.sendRequest('shutdown'), new Promise((r) => (timer = setTimeout(r, 10_000)))]).finally(() => clearTimeout(timer));
        await this.rpc.sendNotification('exit');
      } catch {
        this.child.kill('SIGKILL');
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.rpc.dispose();
    rmSync(this.home, { recursive: true, force: true });
  }
}
