/**
 * The NAQ log channel, seen through a filter that blanks out secrets. Everything the extension
 * and the language client write (protocol traces included, when `naq.trace.server` is on) goes
 * through it, so a password, token or creds path from secret storage cannot reach the log, even
 * inside a traced `connection/connect` payload.
 */
import * as vscode from 'vscode';

const MASK = '***';
/** JSON fields that hold secrets, as BackendSettings.secrets names them. */
const SECRET_FIELD = /("(?:password|token|credsFile|user|pass|auth_token|seed|jwt)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** `scheme://user:password@host`: the user info is dropped. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"']+@/gi;

export class Redactor {
  private secrets: string[] = [];

  /** The secret values to blank out from now on (empty and very short values are ignored). */
  setSecrets(values: Iterable<string | undefined>): void {
    const kept = new Set<string>();
    for (const value of values) if (value !== undefined && value.length >= 3) kept.add(value);
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...kept].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text.replace(SECRET_FIELD, `$1"${MASK}"`).replace(URL_USERINFO, `$1${MASK}@`);
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
      // The same value as it appears inside JSON (quotes, backslashes escaped).
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join(MASK);
    }
    return out;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export class RedactingLogOutputChannel implements vscode.LogOutputChannel {
  constructor(
    private readonly inner: vscode.LogOutputChannel,
    readonly redactor: Redactor,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.inner.logLevel;
  }

  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.inner.onDidChangeLogLevel;
  }

  private line(message: string | Error, args: unknown[]): string {
    return this.redactor.redact([message, ...args].map(describe).join(' '));
  }

  trace(message: string, ...args: unknown[]): void {
    this.inner.trace(this.line(message, args));
  }

  debug(message: string, ...args: unknown[]): void {
    this.inner.debug(this.line(message, args));
  }

  info(message: string, ...args: unknown[]): void {
    this.inner.info(this.line(message, args));
  }

  warn(message: string, ...args: unknown[]): void {
    this.inner.warn(this.line(message, args));
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.inner.error(this.line(error, args));
  }

  append(value: string): void {
    this.inner.append(this.redactor.redact(value));
  }

  appendLine(value: string): void {
    this.inner.appendLine(this.redactor.redact(value));
  }

  replace(value: string): void {
    this.inner.replace(this.redactor.redact(value));
  }

  clear(): void {
    this.inner.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean' || columnOrPreserveFocus === undefined) this.inner.show(columnOrPreserveFocus);
    else this.inner.show(preserveFocus);
  }

  hide(): void {
    this.inner.hide();
  }

  dispose(): void {
    this.inner.dispose();
  }
}
