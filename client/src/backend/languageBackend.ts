/**
 * BackendClient over a vscode-languageclient LanguageClient: the backend (`dist/server.js`) runs as
 * a Node child process over IPC. vscode-languageclient is loaded on first start, not at activation.
 */
import { BACKEND_EXEC_ARGV } from '../../../server/src/shared/runtime';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import {
  ConnectionStateNotification,
  ConnectRequest,
  DisconnectRequest,
  StateRequest,
  type BackendSettings,
  type ConnectionState,
} from '../../../server/src/protocol/protocol';
import { BackendClient, BackendUnavailableError, initialState } from './backendClient';
import { RestartPolicy } from './restartPolicy';

type LanguageClientModule = typeof import('vscode-languageclient/node');

export interface LanguageBackendOptions {
  context: vscode.ExtensionContext;
  /** The NAQ channel (redacting secrets); the language client logs there too. */
  log: vscode.LogOutputChannel;
  /** Settings with secrets, read fresh for every start and every connect. */
  settings: () => Promise<BackendSettings>;
  /** Path of the server module relative to the extension (default dist/server.js). */
  serverModule?: string;
  restartPolicy?: RestartPolicy;
  /** The user disconnected last time: start the backend without connecting. */
  startDisconnected?: boolean;
}

/** The one command hover markdown from the backend may run. */
export const HOVER_COMMANDS: readonly string[] = ['naq.openTimeline'];
/** Port for `--inspect` on the backend when the extension host itself is being debugged. */
const DEBUG_PORT = 6011;

type Handler = (params: unknown) => void;

export class LanguageBackend implements BackendClient, vscode.Disposable {
  private client: LanguageClient | undefined;
  private lc: LanguageClientModule | undefined;
  private starting: Promise<void> | undefined;
  private current: ConnectionState = initialState();
  private readonly stateEmitter = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly registered = new Set<string>();
  private readonly policy: RestartPolicy;
  /** Settings the running (or restarting) process was initialised with. */
  private startSettings: BackendSettings | undefined;
  /** True between stop() and the process exit: that close is not a crash. */
  private stopping = false;
  /** The user ran "Disconnect": setting changes do not connect again until "Connect". */
  private userDisconnected = false;
  private disposed = false;

  constructor(private readonly options: LanguageBackendOptions) {
    this.policy = options.restartPolicy ?? new RestartPolicy();
    this.userDisconnected = options.startDisconnected === true;
    this.onNotification(ConnectionStateNotification.type, (state) => this.setState(state));
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** What the state says while the backend has not been started (before the first connect). */
  setIdleDetail(detail: string): void {
    if (this.client === undefined && !this.starting) this.setState({ phase: 'disconnected', detail });
  }

  /** The user chose to be disconnected (the "Disconnect" command), until "Connect". */
  get disconnectedByUser(): boolean {
    return this.userDisconnected;
  }

  get running(): boolean {
    return this.client !== undefined && this.lc !== undefined && this.client.state === this.lc.State.Running;
  }

  private get log(): vscode.LogOutputChannel {
    return this.options.log;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }

  // ---- Requests and notifications ----

  request<R>(type: RequestType0<R, void>, token?: vscode.CancellationToken): Promise<R>;
  request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R>;
  async request<P, R>(
    type: RequestType0<R, void> | RequestType<P, R, void>,
    paramsOrToken?: P | vscode.CancellationToken,
    maybeToken?: vscode.CancellationToken,
  ): Promise<R> {
    const client = this.client;
    const lc = this.lc;
    if (client === undefined || lc === undefined || (client.state !== lc.State.Running && client.state !== lc.State.Starting)) {
      throw new BackendUnavailableError(vscode.l10n.t('The NAQ backend is not running ({0}). {1}', type.method, this.current.detail));
    }
    try {
      // By method name: a request type made by another copy of vscode-jsonrpc (a test bundle, another
      // extension) carries a `parameterStructures` this copy does not recognise. Every NAQ request
      // takes one object or nothing, which the name-based call sends the same way.
      if (type.numberOfParams === 0) {
        return await client.sendRequest<R>(type.method, paramsOrToken as vscode.CancellationToken | undefined);
      }
      return await client.sendRequest<R>(type.method, paramsOrToken, maybeToken);
    } catch (error) {
      if (error instanceof lc.ResponseError && error.code === lc.ErrorCodes.ConnectionInactive) {
        throw new BackendUnavailableError(vscode.l10n.t('The NAQ backend stopped before answering {0}.', type.method), { cause: error });
      }
      throw error;
    }
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable {
    const method = type.method;
    let set = this.handlers.get(method);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(method, set);
    }
    const entry = handler as Handler;
    set.add(entry);
    this.registerFanOut(method);
    return new vscode.Disposable(() => set.delete(entry));
  }

  /**
   * The language client keeps one handler per method: it gets a single fan-out handler per method,
   * registered once; it re-installs it by itself on every restart.
   */
  private registerFanOut(method: string): void {
    const client = this.client;
    if (client === undefined || this.registered.has(method)) return;
    this.registered.add(method);
    client.onNotification(method, (params: unknown) => {
      for (const handler of [...(this.handlers.get(method) ?? [])]) {
        try {
          handler(params);
        } catch (error) {
          this.log.error(`handler for ${method} failed`, error);
        }
      }
    });
  }

  // ---- Life cycle ----

  /** Starts the backend process if it is not running; it connects with the settings it is given. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.disposed) return;
    const serverModule = this.options.context.asAbsolutePath(this.options.serverModule ?? 'dist/server.js');
    if (!existsSync(serverModule)) {
      this.setState({ phase: 'disconnected', detail: vscode.l10n.t('The NAQ backend is missing: {0} does not exist (run "npm run build").', serverModule) });
      this.log.error(`backend module not found: ${serverModule}`);
      return;
    }
    this.setState({ phase: 'connecting', detail: vscode.l10n.t('Starting the NAQ backend…') });
    const started = Date.now();
    try {
      this.startSettings = await this.options.settings();
      const lc = (this.lc ??= await import('vscode-languageclient/node'));
      const client = (this.client ??= this.createClient(lc, serverModule));
      for (const method of this.handlers.keys()) this.registerFanOut(method);
      this.stopping = false;
      await client.start();
      this.log.info(`backend started in ${Date.now() - started} ms`);
      await this.syncState();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error('backend failed to start', error);
      this.setState({ phase: 'disconnected', detail: vscode.l10n.t('The NAQ backend failed to start: {0}. See "NAQ: Show Logs".', message) });
    }
  }

  /** Asks the backend for its state (after a start or restart, in case a notification was missed). */
  private async syncState(): Promise<void> {
    try {
      this.setState(await this.request(StateRequest.type));
    } catch (error) {
      this.log.warn('could not read the backend state', error);
    }
  }

  private createClient(lc: LanguageClientModule, serverModule: string): LanguageClient {
    const run = { module: serverModule, transport: lc.TransportKind.ipc, options: { execArgv: BACKEND_EXEC_ARGV } };
    const debug = {
      module: serverModule,
      transport: lc.TransportKind.ipc,
      options: { execArgv: [...BACKEND_EXEC_ARGV, '--nolazy', `--inspect=${DEBUG_PORT}`] },
    };
    const client = new lc.LanguageClient(
      'naq',
      vscode.l10n.t('NAQ Job Events'),
      { run, debug },
      {
        documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
        outputChannel: this.log,
        revealOutputChannelOn: lc.RevealOutputChannelOn.Never,
        // Read at every (re)start: a restarted backend connects with the same settings; without
        // settings (the user disconnected) it starts idle.
        initializationOptions: () => (this.userDisconnected ? undefined : this.startSettings),
        initializationFailedHandler: (error) => {
          this.log.error('backend initialisation failed', error);
          return false;
        },
        errorHandler: {
          error: (_error, _message, count) => ({
            action: (count ?? 0) <= 3 ? lc.ErrorAction.Continue : lc.ErrorAction.Shutdown,
            handled: true,
          }),
          closed: () => this.onClosed(lc),
        },
        middleware: {
          provideHover: async (document, position, token, next) => {
            const hover = await next(document, position, token);
            return hover ? trustHover(hover) : hover;
          },
        },
      },
    );
    client.onDidChangeState((event) => {
      if (event.newState === lc.State.Running && !this.starting) void this.syncState();
    });
    return client;
  }

  private onClosed(lc: LanguageClientModule): { action: number; handled: boolean; message?: string } {
    if (this.stopping || this.disposed) return { action: lc.CloseAction.DoNotRestart, handled: true };
    const decision = this.policy.onCrash();
    if (decision.restart) {
      this.log.warn(`the backend stopped unexpectedly; restarting it (${decision.crashes} of ${this.policy.maxRestarts} restarts allowed)`);
      this.setState({
        phase: 'connecting',
        detail: vscode.l10n.t('The NAQ backend stopped unexpectedly and is restarting (restart {0} of {1}).', decision.crashes, this.policy.maxRestarts),
      });
      return { action: lc.CloseAction.Restart, handled: true };
    }
    const detail = vscode.l10n.t(
      'The NAQ backend stopped {0} and was not restarted. Run "NAQ: Connect" to start it again; "NAQ: Show Logs" shows why it stopped.',
      this.policy.describe(),
    );
    this.log.error(detail);
    this.setState({ phase: 'disconnected', detail });
    return { action: lc.CloseAction.DoNotRestart, handled: true, message: detail };
  }

  /** Connects with the current settings: starts the backend if needed, else sends `connection/connect`. */
  async connect(): Promise<ConnectionState> {
    this.policy.reset();
    this.userDisconnected = false;
    if (!this.running) {
      // A backend that starts connects by itself, with the settings it is initialised with.
      await this.start();
      return this.current;
    }
    const settings = await this.options.settings();
    this.startSettings = settings;
    this.setState({ ...this.current, phase: 'connecting', detail: vscode.l10n.t('Connecting…') });
    const state = await this.request(ConnectRequest.type, settings);
    this.setState(state);
    return state;
  }

  /** Settings or credentials changed: connect again with them, unless the user disconnected. */
  async reconnectIfActive(): Promise<void> {
    if (this.userDisconnected || !this.running) {
      // What an automatic restart will use; a start by hand reads the settings again anyway.
      if (this.startSettings !== undefined) this.startSettings = await this.options.settings();
      return;
    }
    await this.connect();
  }

  async disconnect(): Promise<ConnectionState> {
    this.userDisconnected = true;
    if (!this.running) return this.current;
    const state = await this.request(DisconnectRequest.type);
    this.setState(state);
    return state;
  }

  /** Stops the backend process (the extension deactivates, or the user stops it). */
  async stop(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) return;
    this.stopping = true;
    try {
      await client.stop(3_000);
    } catch (error) {
      // The client terminates a process that does not stop in time by itself.
      this.log.warn('the backend did not shut down in time and is being terminated', error);
    } finally {
      this.setState({ phase: 'disconnected', detail: vscode.l10n.t('The NAQ backend is stopped.') });
    }
  }

  dispose(): void {
    void this.stop().finally(() => {
      this.disposed = true;
      this.stateEmitter.dispose();
    });
  }
}

/** Hover markdown from the backend may run naq.openTimeline, and nothing else. */
export function trustHover(hover: vscode.Hover): vscode.Hover {
  const contents = hover.contents.map((content) => {
    if (!(content instanceof vscode.MarkdownString)) return content;
    const trusted = new vscode.MarkdownString(content.value, content.supportThemeIcons);
    trusted.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    trusted.supportHtml = false;
    if (content.baseUri) trusted.baseUri = content.baseUri;
    return trusted;
  });
  return new vscode.Hover(contents, hover.range);
}
