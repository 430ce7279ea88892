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
      validateInput: (value) => (value.trim() === '' ? 'Required' : undefined),
    }),
  ).trim();
}

async function collect(kind: CredentialKind): Promise<Secrets> {
  switch (kind) {
    case 'userPassword': {
      const user = await ask('NAQ: Set Credentials (1/2)', 'NATS user name', false);
      const password = await ask('NAQ: Set Credentials (2/2)', `Password for ${user}`, true);
      return { user, password };
    }
    case 'token':
      return { token: await ask('NAQ: Set Credentials', 'NATS authentication token', true) };
    case 'credsFile': {
      const picked = answered(
        await vscode.window.showOpenDialog({
          title: 'NAQ: Choose a NATS credentials file',
          canSelectFiles: true,
          canSelectFolders: false,
          canSelectMany: false,
          filters: { 'NATS credentials': ['creds'], 'All files': ['*'] },
          openLabel: 'Use Credentials File',
        }),
      );
      const file = picked[0];
      if (file === undefined) throw new Error('no file chosen');
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
      { label: '$(account) User and password', value: 'userPassword' },
      { label: '$(key) Token', value: 'token' },
      { label: '$(file) Credentials file (.creds)', description: 'a user JWT and nkey seed', value: 'credsFile' },
    ];
    const picked = answered(
      await vscode.window.showQuickPick(items, {
        title: 'NAQ: Set Credentials',
        placeHolder: `How to authenticate to NATS (now: ${current}); kept in the editor's secret storage`,
      }),
    );
    const values = await collect(picked.value);
    await secrets.replace(values);
    await refreshContext();
    flash(`$(key) NAQ: credentials saved (${SecretStore.describe(values)})`);
  };

  const clearCredentials = async (): Promise<void> => {
    await secrets.clear();
    await refreshContext();
    flash('$(key) NAQ: credentials cleared');
  };

  return [
    registerCommand(log, 'naq.setCredentials', 'set credentials', setCredentials),
    registerCommand(log, 'naq.clearCredentials', 'clear credentials', clearCredentials),
  ];
}
