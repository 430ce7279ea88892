/**
 * Waiting with a deadline. A wait without one turns a broken editor into a hung CI run with no
 * output, so every wait in the harness goes through these or through a Playwright timeout.
 */

import { TimeoutError, withTimeout } from '../../../server/src/util/timeout';

/** The library's: one TimeoutError class, whichever side of a test throws it. */
export { TimeoutError, withTimeout } from '../../../server/src/util/timeout';

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

/**
 * A suite's teardown: every step runs, each within `timeoutMs`, even when an earlier one failed (a
 * stuck editor must not leave its nats-server running); the failures are thrown together at the end.
 */
export async function stopAll(steps: ReadonlyArray<() => unknown>, timeoutMs = 40_000): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await withTimeout(Promise.resolve(step()), timeoutMs, 'teardown');
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'teardown failed');
}
