/**
 * The NAQ Job Events extension: status bar, trees, commands and webviews over a backend process
 * (`dist/server.js`) that owns the NATS connection. Activation only wires things up; the backend
 * starts right after, without holding up activation, and vscode-languageclient and the webview
 * modules are loaded when first needed.
 */
import * as vscode from 'vscode';
import type { BackendClient } from './backend/backendClient';
import { LanguageBackend } from './backend/languageBackend';
import { DISCONNECTED_KEY, registerConnectionCommands } from './commands/connection';
import { registerCredentialCommands } from './commands/credentials';
import { registerEmitCommands } from './commands/emit';
import { registerJobCommands } from './commands/jobs';
import { registerStreamCommands } from './commands/stream';
import { registerFailures } from './failures/index';
import { SecretStore } from './config/secrets';
import { affectsConnection, readSettings } from './config/settings';
import { CONNECTED_BEFORE_KEY, startupAction, startupFacts } from './config/startup';
import { RedactingLogOutputChannel, Redactor } from './logging/redactingChannel';
import { FailureNotifier } from './notifications/failureNotifier';
import type { Services } from './services';
import { StatusBar } from './status/statusBar';
import { canList } from './views/jobTree';
import { configurePureModules } from './util/l10n';
import { NaqViews } from './views/naqViews';
import { registerStatsSerializer } from './stats/index';
import { registerTailSerializer } from './tail/index';
import { registerTimelineSerializer } from './timeline/index';
import { setWebviewLogger } from './webview/log';
import type { ConnectionState } from '../../server/src/protocol/protocol';

/** What activate() returns: for the in-editor tests, and for other extensions that want to look. */
export interface NaqApi {
  backend: BackendClient;
  views: NaqViews;
  /** How long activate() took, in milliseconds. */
  activationMs: number;
}

let running: LanguageBackend | undefined;
const RECONNECT_DEBOUNCE_MS = 300;

export function activate(context: vscode.ExtensionContext): NaqApi {
  const started = performance.now();
  configurePureModules();
  const redactor = new Redactor();
  const log = new RedactingLogOutputChannel(vscode.window.createOutputChannel('NAQ', { log: true }), redactor);
  const secrets = new SecretStore(context.secrets);
  setWebviewLogger(log);

  const settings = async () => {
    const stored = await secrets.read();
    redactor.setSecrets(Object.values(stored));
    await vscode.workspace.fs.createDirectory(context.globalStorageUri);
    return readSettings(context.globalStorageUri.fsPath, stored);
  };
  const startDisconnected = context.workspaceState.get<boolean>(DISCONNECTED_KEY, false);
  const backend = new LanguageBackend({ context, log, settings, startDisconnected });
  running = backend;
  const statusBar = new StatusBar('naq.statusActions');
  const views = new NaqViews(backend, log);
  const services: Services = { context, backend, views, secrets, log };

  const onState = (state: ConnectionState): void => {
    statusBar.update(state);
    void vscode.commands.executeCommand('setContext', 'naq.phase', state.phase);
    void vscode.commands.executeCommand('setContext', 'naq.connected', canList(state));
  };
  onState(backend.state);
  void vscode.commands.executeCommand('setContext', 'naq.userDisconnected', startDisconnected);

  // Changes come in bursts (a settings edit, the four secret keys of one credential): one
  // reconnect per burst, and never two at once.
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnecting: Promise<void> = Promise.resolve();
  const reconnect = (why: string): void => {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      log.info(`${why}: connecting again with the new settings`);
      reconnecting = reconnecting
        .then(() => backend.reconnectIfActive())
        .catch((error: unknown) => log.error('reconnecting failed', error));
    }, RECONNECT_DEBOUNCE_MS);
  };

  context.subscriptions.push(
    log,
    secrets,
    backend,
    statusBar,
    views,
    backend.onDidChangeState(onState),
    ...registerConnectionCommands(services),
    ...registerCredentialCommands(services),
    ...registerEmitCommands(services),
    ...registerJobCommands(services),
    ...registerStreamCommands(services),
    // Panels open at the last shutdown come back (activation events onWebviewPanel:naq.timeline, .tail, .stats).
    registerTimelineSerializer(context, backend),
    registerTailSerializer(context, backend),
    registerStatsSerializer(context, backend, views.jobs),
    ...registerFailures(backend, log),
    new FailureNotifier(backend, (jobId) => vscode.commands.executeCommand('naq.openTimeline', jobId)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsConnection(event)) reconnect('settings changed');
    }),
    secrets.onDidChange(() => reconnect('credentials changed')),
    { dispose: () => clearTimeout(reconnectTimer) },
  );

  // Secrets known to the log filter before anything is logged about a connection.
  void secrets.read().then((stored) => redactor.setSecrets(Object.values(stored)));
  const action = startupAction(startupFacts(context, startDisconnected));
  if (action === 'connect') {
    void backend.start();
  } else if (action === 'wait-for-interest') {
    backend.setIdleDetail(vscode.l10n.t('Not connected. Open the NAQ views or run "NAQ: Connect".'));
    context.subscriptions.push(connectOnFirstLook(views, backend, log));
  } else {
    backend.setIdleDetail(vscode.l10n.t('Disconnected. Run "NAQ: Connect" to connect again.'));
  }
  context.subscriptions.push(
    backend.onDidChangeState((state) => {
      if (state.phase === 'connected') void context.workspaceState.update(CONNECTED_BEFORE_KEY, true);
    }),
  );

  const activationMs = Math.round(performance.now() - started);
  log.info(`activated in ${activationMs} ms`);
  return { backend, views, activationMs };
}

/** Connects the first time a NAQ view is shown (now, if one already is). */
function connectOnFirstLook(views: NaqViews, backend: LanguageBackend, log: vscode.LogOutputChannel): vscode.Disposable {
  const all = [views.queues.view, views.jobs.view, views.workers.view].filter((v) => v !== undefined);
  let done = false;
  const subscriptions: vscode.Disposable[] = [];
  const look = (): void => {
    if (done || backend.disconnectedByUser || !all.some((v) => v.visible)) return;
    done = true;
    for (const s of subscriptions) s.dispose();
    log.info('a NAQ view is shown: connecting');
    backend.connect().catch((error: unknown) => log.error('connecting failed', error));
  };
  for (const view of all) subscriptions.push(view.onDidChangeVisibility(look));
  look();
  return new vscode.Disposable(() => subscriptions.forEach((s) => s.dispose()));
}

export async function deactivate(): Promise<void> {
  await running?.stop();
  running = undefined;
}
