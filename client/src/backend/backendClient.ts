/**
 * The extension's one handle on the backend process. Views, commands and webviews talk to the
 * backend only through this type, with the request and notification constants of the shared
 * protocol (`server/src/protocol/protocol.ts`); nothing else imports vscode-languageclient.
 */
import * as vscode from 'vscode';
import type { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ConnectionState } from '../../../server/src/protocol/protocol';

export interface BackendClient {
  /** The last connection state the backend reported (or the client's own, while it is not running). */
  readonly state: ConnectionState;
  /** Fires with every new state, from the backend or from the client (starting, crashed, stopped). */
  readonly onDidChangeState: vscode.Event<ConnectionState>;
  /** True while the backend process runs and answers. */
  readonly running: boolean;

  /** Sends a request; rejects with a BackendUnavailableError when the backend is not running. */
  request<R>(type: RequestType0<R, void>, token?: vscode.CancellationToken): Promise<R>;
  request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R>;

  /** Any number of handlers per notification; each is removed by disposing what it returns. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable;
}

/** A request was made while the backend process was stopped, crashed or still starting up and failed. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

/** The state shown before the backend has said anything. */
/** A function, not a constant: its detail is translated, which `vscode.l10n` does once the extension runs. */
export function initialState(): ConnectionState {
  return { phase: 'disconnected', detail: vscode.l10n.t('The NAQ backend has not started yet.') };
}
