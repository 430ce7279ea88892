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
  const auth = ctx.auth.length > 0 ? vscode.l10n.t('auth: {0}', ctx.auth.join(', ')) : undefined;
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
    flash(`$(debug-disconnect) ${vscode.l10n.t('NAQ: disconnected')}`);
  };

  const chooseContext = async (): Promise<void> => {
    // The backend reads the context files: the extension host never holds their secrets. It may run
    // idle (the user disconnected); listing contexts does not connect it.
    await backend.start();
    const list = await backend.request(ListContextsRequest.type);
    const current = vscode.workspace.getConfiguration('naq').get<string>('context', '');
    type Item = vscode.QuickPickItem & { value: string; url?: string };
    const none: Item = {
      label: `$(circle-slash) ${vscode.l10n.t('No context')}`,
      description: current === '' ? vscode.l10n.t('(current)') : undefined,
      detail: vscode.l10n.t('Use "naq.serverUrl", or a server on nats://127.0.0.1:4222, or start one (naq.embeddedServer)'),
      value: '',
    };
    const items: Item[] = [none];
    if (list.contexts.length > 0) items.push({ label: vscode.l10n.t('Contexts in {0}', list.directory), kind: vscode.QuickPickItemKind.Separator, value: '' });
    for (const ctx of list.contexts) {
      const notes = [ctx.name === current ? vscode.l10n.t('(current)') : undefined, ctx.selected ? vscode.l10n.t('(selected in the nats CLI)') : undefined].filter(Boolean);
      items.push({
        label: `${ctx.problem ? '$(warning)' : '$(server)'} ${ctx.name}`,
        description: [ctx.url ?? vscode.l10n.t('default URL'), ...notes].join(' '),
        detail: ctx.problem ?? contextDetail(ctx),
        value: ctx.name,
        url: ctx.url ?? undefined,
      });
    }
    const picked = answered(
      await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('NAQ: Choose NATS Context'),
        placeHolder:
          list.contexts.length === 0
            ? vscode.l10n.t('No NATS CLI contexts in {0} ("nats context add" creates one)', list.directory)
            : vscode.l10n.t('A NATS CLI context to connect with'),
        matchOnDescription: true,
      }),
    );
    // "naq.serverUrl" beats a context's URL (as --server does in the nats CLI): choosing a context
    // while it is set would change nothing visible, so the user decides which server to use.
    const serverUrl = vscode.workspace.getConfiguration('naq').get<string>('serverUrl', '').trim();
    if (picked.url !== undefined && serverUrl !== '') {
      const useContext = vscode.l10n.t("Use the Context's Server");
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('"naq.serverUrl" ({0}) takes precedence over the server of context "{1}" ({2}).', redactUrl(serverUrl), picked.value, picked.url),
        {
          modal: true,
          detail: vscode.l10n.t('Clear "naq.serverUrl" to connect to {0}, or keep it and take only the context\'s other settings (credentials, TLS).', picked.url),
        },
        useContext,
        vscode.l10n.t('Keep naq.serverUrl'),
      );
      if (choice === undefined) return;
      if (choice === useContext) await clearSetting('serverUrl');
    }
    await updateSetting('context', picked.value);
    flash(`$(server) ${picked.value ? vscode.l10n.t('NAQ: context "{0}"', picked.value) : vscode.l10n.t('NAQ: no context')}`);
  };

  const statusActions = async (): Promise<void> => {
    const state = backend.state;
    type Item = vscode.QuickPickItem & { command?: string; args?: unknown[] };
    const connected = canList(state);
    const items: Item[] = [
      { label: vscode.l10n.t('NAQ is {0}', phaseLabel(state)), kind: vscode.QuickPickItemKind.Separator },
      connected
        ? { label: `$(refresh) ${vscode.l10n.t('Reconnect')}`, description: vscode.l10n.t('connect again with the current settings'), command: 'naq.connect' }
        : { label: `$(plug) ${vscode.l10n.t('Connect')}`, command: 'naq.connect' },
    ];
    if (!backend.disconnectedByUser) items.push({ label: `$(debug-disconnect) ${vscode.l10n.t('Disconnect')}`, command: 'naq.disconnect' });
    items.push({ label: `$(server) ${vscode.l10n.t('Choose NATS Context…')}`, command: 'naq.chooseContext' });
    if (connected) {
      items.push(
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        { label: `$(pulse) ${vscode.l10n.t('Tail Failures')}`, description: vscode.l10n.t('every failure, whatever its subject'), command: 'naq.tailSubject', args: [''] },
        { label: `$(symbol-event) ${vscode.l10n.t('Emit Sample Lifecycle…')}`, command: 'naq.emitLifecycle' },
        { label: `$(graph) ${vscode.l10n.t('Show Statistics')}`, command: 'naq.showStats' },
      );
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: `$(output) ${vscode.l10n.t('Show Logs')}`, command: 'naq.showLogs' });
    const picked = await vscode.window.showQuickPick(items, { title: 'NAQ', placeHolder: state.detail });
    if (picked?.command) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
  };

  return [
    registerCommand(log, 'naq.connect', vscode.l10n.t('connect'), connect),
    registerCommand(log, 'naq.disconnect', vscode.l10n.t('disconnect'), disconnect),
    registerCommand(log, 'naq.chooseContext', vscode.l10n.t('choose a NATS context'), chooseContext),
    registerCommand(log, 'naq.statusActions', vscode.l10n.t('show the NAQ actions'), statusActions),
    registerCommand(log, 'naq.showLogs', vscode.l10n.t('show the logs'), () => log.show()),
  ];
}
