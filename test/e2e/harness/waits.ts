/**
 * Waiting with a deadline. A wait without one turns a broken editor into a hung CI run with no
 * output, so every wait in the harness goes through these or through a Playwright timeout.
 */

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Resolves or rejects like `promise`, or rejects with a TimeoutError naming `what` after `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PollOptions {
  timeoutMs: number;
  /** Pause between two checks. */
  intervalMs?: number;
  /** Named in the error on timeout. */
  what: string;
}

/**
 * Calls `check` until it returns a value other than undefined/false and returns that value.
 * Errors thrown by `check` end the wait at once: they mean the condition can no longer come true.
 */
export async function waitUntil<T>(check: () => T | undefined | false | Promise<T | undefined | false>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new TimeoutError(`timed out after ${options.timeoutMs} ms: ${options.what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
