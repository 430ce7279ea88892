/**
 * The one error type of the configuration module. Every message names what is wrong (the
 * variable, context file or key file), the offending value when it is not a secret, and what
 * was expected, so it can be shown to the user as is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The environment variable, context field or option at fault, when there is one. */
  readonly setting: string | undefined;
  /** The file at fault (context file, creds file, key file ...), when there is one. */
  readonly file: string | undefined;

  constructor(message: string, details: { setting?: string; file?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.setting = details.setting;
    this.file = details.file;
  }
}

/** `ConfigError` for a bad setting value: `NAME="value" is invalid: expected ...`. */
export function invalidValue(setting: string, value: string, expected: string): ConfigError {
  return new ConfigError(`${setting}=${JSON.stringify(value)} is invalid: expected ${expected}`, { setting });
}

/** The system's reason for a failed file operation, without the stack: `ENOENT: no such file ...`. */
export function fileErrorReason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    switch (code) {
      case 'ENOENT':
        return 'file not found';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory, not a file';
      default:
        return code === undefined ? err.message : `${code}: ${err.message}`;
    }
  }
  return String(err);
}
