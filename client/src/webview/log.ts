import * as vscode from 'vscode';

/** Where the webview plumbing reports what it ignored or what failed. */
export interface WebviewLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

let logger: WebviewLogger | undefined;

/** Lets the extension route webview logs into its own output channel; call once at activation. */
export function setWebviewLogger(value: WebviewLogger): void {
  logger = value;
}

/** The logger set with `setWebviewLogger`, else a "NAQ Webviews" log channel created on first use. */
export function webviewLog(): WebviewLogger {
  logger ??= vscode.window.createOutputChannel('NAQ Webviews', { log: true });
  return logger;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return String(error);
}
