/**
 * NATS credentials, kept only in the editor's secret storage (never in settings, logs or
 * webviews). One kind is in use at a time: setting a kind clears the others.
 */
import * as vscode from 'vscode';
import type { BackendSettings } from '../../../server/src/protocol/protocol';

export type Secrets = BackendSettings['secrets'];
export type SecretKey = keyof Secrets;

const KEYS: readonly SecretKey[] = ['user', 'password', 'token', 'credsFile'];
const storageKey = (key: SecretKey): string => `naq.credentials.${key}`;

export type CredentialKind = 'userPassword' | 'token' | 'credsFile';

export class SecretStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any NAQ credential changes, here or in another window. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.subscription = storage.onDidChange((e) => {
      if (KEYS.some((key) => e.key === storageKey(key))) this.changed.fire();
    });
  }

  async read(): Promise<Secrets> {
    const values = await Promise.all(KEYS.map(async (key) => [key, await this.storage.get(storageKey(key))] as const));
    const secrets: Secrets = {};
    for (const [key, value] of values) if (value !== undefined && value !== '') secrets[key] = value;
    return secrets;
  }

  /** Stores `values` and deletes every credential not among them. */
  async replace(values: Secrets): Promise<void> {
    for (const key of KEYS) {
      const value = values[key];
      if (value !== undefined && value !== '') await this.storage.store(storageKey(key), value);
      else await this.storage.delete(storageKey(key));
    }
  }

  async clear(): Promise<void> {
    await this.replace({});
  }

  /** What is stored, in words, without any value ("user and password", "a token" ...). */
  static describe(secrets: Secrets): string {
    if (secrets.credsFile) return vscode.l10n.t('a credentials file');
    if (secrets.token) return vscode.l10n.t('a token');
    if (secrets.user) return secrets.password ? vscode.l10n.t('a user and password') : vscode.l10n.t('a user name');
    return vscode.l10n.t('no credentials');
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
