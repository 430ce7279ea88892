/** What the commands work with; built once in activate(). */
import type * as vscode from 'vscode';
import type { LanguageBackend } from './backend/languageBackend';
import type { SecretStore } from './config/secrets';
import type { NaqViews } from './views/naqViews';

export interface Services {
  context: vscode.ExtensionContext;
  backend: LanguageBackend;
  views: NaqViews;
  secrets: SecretStore;
  log: vscode.LogOutputChannel;
}
