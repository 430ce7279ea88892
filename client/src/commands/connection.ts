/** Connect, disconnect, choose a NATS context, the status bar's action menu, logs. */
import * as vscode from 'vscode';
import { redactUrl } from '../../../server/src/shared/serverUrls';
import { ListContextsRequest, type ContextItem } from '../../../server/src/protocol/protocol';
import { clearSetting, updateSetting } from '../config/settings';
import type { Services } from '../services';
import { phaseLabel } from '../status/statusBar';
import { canList } from '../views/jobTree';
import { answered, flash, registerCommand } from './guard';

export const DISCONNECTED_KEY = 'naq.userDisconnected';

/** The context's description and which credentials it sets (never their values). */
function contextDetail(ctx: ContextItem): string | undefined {
  const auth = ctx.auth.length > 0 ? `auth: ${ctx.auth.join(', ')}` : undefined;
  const parts = [ctx.description ?? undefined, auth].filter((p): p is string => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

export function registerConnectionCommands(s: Services): vscode.Disposable[] {
  const { backend, log, context } = s;

  const connect = async (): Promise<void> => {
    await context.workspaceState.update(DISCONNECTED_KEY, false);
    await vscode.commands.executeCommand('setContext', 'naq.userDisconnected', false);
    const state = await backend.connect();
    log.info(`connect: ${state.phase}: ${state.detail}`);
  };

  const disconnect = async (): Promise<void> => {
    await context.workspaceState.update(DISCONNECTED_KEY, true);
    await vscode.commands.executeCommand('setContext', 'naq.userDisconnected', true);
    await backend.disconnect();
    flash('$(debug-disconnect) NAQ: disconnected');
  };

  const chooseContext = async (): Promise<void> => {
    // The backend reads the context files: the extension host never holds their secrets. It may run
    // idle (the user disconnected); listing contexts does not connect it.
    await backend.start();
    const list = await backend.request(ListContextsRequest.type);
    const current = vscode.workspace.getConfiguration('naq').get<string>('context', '');
    type Item = vscode.QuickPickItem & { value: string; url?: string };
    const none: Item = {
      label: '$(circle-slash) No context',
      description: current === '' ? '(current)' : undefined,
      detail: 'Use "naq.serverUrl", or a server on nats://127.0.0.1:4222, or start one (naq.embeddedServer)',
      value: '',
    };
    const items: Item[] = [none];
    if (list.contexts.length > 0) items.push({ label: `Contexts in ${list.directory}`, kind: vscode.QuickPickItemKind.Separator, value: '' });
    for (const ctx of list.contexts) {
      const notes = [ctx.name === current ? '(current)' : undefined, ctx.selected ? '(selected in the nats CLI)' : undefined].filter(Boolean);
      items.push({
        label: `${ctx.problem ? '$(warning)' : '$(server)'} ${ctx.name}`,
        description: [ctx.url ?? 'default URL', ...notes].join(' '),
        detail: ctx.problem ?? contextDetail(ctx),
        value: ctx.name,
        url: ctx.url ?? undefined,
      });
    }
    const picked = answered(
      await vscode.window.showQuickPick(items, {
        title: 'NAQ: Choose NATS Context',
        placeHolder: list.contexts.length === 0 ? `No NATS CLI contexts in ${list.directory} ("nats context add" creates one)` : 'A NATS CLI context to connect with',
        matchOnDescription: true,
      }),
    );
    // "naq.serverUrl" beats a context's URL (as --server does in the nats CLI): choosing a context
    // while it is set would change nothing visible, so the user decides which server to use.
    const serverUrl = vscode.workspace.getConfiguration('naq').get<string>('serverUrl', '').trim();
    if (picked.url !== undefined && serverUrl !== '') {
      const useContext = "Use the Context's Server";
      const choice = await vscode.window.showWarningMessage(
        `"naq.serverUrl" (${redactUrl(serverUrl)}) takes precedence over the server of context "${picked.value}" (${picked.url}).`,
        { modal: true, detail: `Clear "naq.serverUrl" to connect to ${picked.url}, or keep it and take only the context's other settings (credentials, TLS).` },
        useContext,
        'Keep naq.serverUrl',
      );
      if (choice === undefined) return;
      if (choice === useContext) await clearSetting('serverUrl');
    }
    await updateSetting('context', picked.value);
    flash(`$(server) NAQ: ${picked.value ? `context "${picked.value}"` : 'no context'}`);
  };

  const statusActions = async (): Promise<void> => {
    const state = backend.state;
    type Item = vscode.QuickPickItem & { command?: string; args?: unknown[] };
    const connected = canList(state);
    const items: Item[] = [
      { label: `NAQ is ${phaseLabel(state)}`, kind: vscode.QuickPickItemKind.Separator },
      connected
        ? { label: '$(refresh) Reconnect', description: 'connect again with the current settings', command: 'naq.connect' }
        : { label: '$(plug) Connect', command: 'naq.connect' },
    ];
    if (!backend.disconnectedByUser) items.push({ label: '$(debug-disconnect) Disconnect', command: 'naq.disconnect' });
    items.push({ label: '$(server) Choose NATS Context…', command: 'naq.chooseContext' });
    if (connected) {
      items.push(
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        { label: '$(pulse) Tail Failures', description: 'every failure, whatever its subject', command: 'naq.tailSubject', args: [''] },
        { label: '$(symbol-event) Emit Sample Lifecycle…', command: 'naq.emitLifecycle' },
        { label: '$(graph) Show Statistics', command: 'naq.showStats' },
      );
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(output) Show Logs', command: 'naq.showLogs' });
    const picked = await vscode.window.showQuickPick(items, { title: 'NAQ', placeHolder: state.detail });
    if (picked?.command) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
  };

  return [
    registerCommand(log, 'naq.connect', 'connect', connect),
    registerCommand(log, 'naq.disconnect', 'disconnect', disconnect),
    registerCommand(log, 'naq.chooseContext', 'choose a NATS context', chooseContext),
    registerCommand(log, 'naq.statusActions', 'show the NAQ actions', statusActions),
    registerCommand(log, 'naq.showLogs', 'show the logs', () => log.show()),
  ];
}
