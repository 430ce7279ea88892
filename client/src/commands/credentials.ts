/** Credentials go into the editor's secret storage, through these two commands only. */
import * as vscode from 'vscode';
import { SecretStore, type CredentialKind, type Secrets } from '../config/secrets';
import type { Services } from '../services';
import { answered, flash, registerCommand } from './guard';

async function ask(title: string, prompt: string, password: boolean, placeHolder?: string): Promise<string> {
  return answered(
    await vscode.window.showInputBox({
      title,
      prompt,
      password,
      placeHolder,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Required') : undefined),
    }),
  ).trim();
}

async function collect(kind: CredentialKind): Promise<Secrets> {
  switch (kind) {
    case 'userPassword': {
      const user = await ask(vscode.l10n.t('NAQ: Set Credentials (1/2)'), vscode.l10n.t('NATS user name'), false);
      const password = await ask(vscode.l10n.t('NAQ: Set Credentials (2/2)'), vscode.l10n.t('Password for {0}', user), true);
      return { user, password };
    }
    case 'token':
      return { token: await ask(vscode.l10n.t('NAQ: Set Credentials'), vscode.l10n.t('NATS authentication token'), true) };
    case 'credsFile': {
      const picked = answered(
        await vscode.window.showOpenDialog({
          title: vscode.l10n.t('NAQ: Choose a NATS credentials file'),
          canSelectFiles: true,
          canSelectFolders: false,
          canSelectMany: false,
          filters: { [vscode.l10n.t('NATS credentials')]: ['creds'], [vscode.l10n.t('All files')]: ['*'] },
          openLabel: vscode.l10n.t('Use Credentials File'),
        }),
      );
      const file = picked[0];
      if (file === undefined) throw new Error(vscode.l10n.t('no file chosen'));
      return { credsFile: file.fsPath };
    }
  }
}

export function registerCredentialCommands(s: Services): vscode.Disposable[] {
  const { secrets, log } = s;

  const refreshContext = async (): Promise<void> => {
    const stored = await secrets.read();
    await vscode.commands.executeCommand('setContext', 'naq.hasCredentials', Object.keys(stored).length > 0);
  };
  void refreshContext();

  const setCredentials = async (): Promise<void> => {
    const current = SecretStore.describe(await secrets.read());
    const items: (vscode.QuickPickItem & { value: CredentialKind })[] = [
      { label: `$(account) ${vscode.l10n.t('User and password')}`, value: 'userPassword' },
      { label: `$(key) ${vscode.l10n.t('Token')}`, value: 'token' },
      { label: `$(file) ${vscode.l10n.t('Credentials file (.creds)')}`, description: vscode.l10n.t('a user JWT and nkey seed'), value: 'credsFile' },
    ];
    const picked = answered(
      await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('NAQ: Set Credentials'),
        placeHolder: vscode.l10n.t("How to authenticate to NATS (now: {0}); kept in the editor's secret storage", current),
      }),
    );
    const values = await collect(picked.value);
    await secrets.replace(values);
    await refreshContext();
    flash(`$(key) ${vscode.l10n.t('NAQ: credentials saved ({0})', SecretStore.describe(values))}`);
  };

  const clearCredentials = async (): Promise<void> => {
    await secrets.clear();
    await refreshContext();
    flash(`$(key) ${vscode.l10n.t('NAQ: credentials cleared')}`);
  };

  return [
    registerCommand(log, 'naq.setCredentials', vscode.l10n.t('set credentials'), setCredentials),
    registerCommand(log, 'naq.clearCredentials', vscode.l10n.t('clear credentials'), clearCredentials),
  ];
}
