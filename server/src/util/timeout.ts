import { ErrorCode, NatsError } from 'nats';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** A request that got no reply: from nats.js, or from a deadline of our own. */
export function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutError || (error instanceof NatsError && error.code === ErrorCode.Timeout);
}

/** Rejects with a {@link TimeoutError} naming `what` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
