/** Registering commands so that a failure is logged and shown once, in words, with a way out. */
import * as vscode from 'vscode';
import { BackendUnavailableError } from '../backend/backendClient';
import { errorText } from '../util/format';

/** The user dismissed a prompt: the command ends quietly. */
export class Cancelled extends Error {
  override name = 'Cancelled';
}

/** A prompt's answer, or Cancelled when it was dismissed. */
export function answered<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}

/**
 * `what` completes "NAQ: cannot …" in the error message: a translated verb phrase such as
 * `vscode.l10n.t('connect')`.
 */
export function registerCommand(
  log: vscode.LogOutputChannel,
  id: string,
  what: string,
  run: (...args: unknown[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (error) {
      if (error instanceof Cancelled) return undefined;
      log.error(`${id} failed`, error);
      // Not awaited: the command ends now, whatever the user does with the message.
      void report(log, what, error);
      return undefined;
    }
  });
}

async function report(log: vscode.LogOutputChannel, what: string, error: unknown): Promise<void> {
  if (error instanceof BackendUnavailableError) {
    const connect = vscode.l10n.t('Connect');
    const showLogs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('NAQ: cannot {0}: not connected. {1}', what, errorText(error)), connect, showLogs);
    if (choice === connect) await vscode.commands.executeCommand('naq.connect');
    else if (choice === showLogs) log.show();
  } else {
    const showLogs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('NAQ: cannot {0}: {1}', what, errorText(error)), showLogs);
    if (choice === showLogs) log.show();
  }
}

/** A short confirmation in the status bar (no pop-up). */
export function flash(text: string, ms = 6_000): void {
  vscode.window.setStatusBarMessage(text, ms);
}
