/**
 * Reads someone is waiting for (a timeline being opened), counted while in flight. Background readers (the failure
 * lookups a build or a restore starts by the thousand) wait until none is before each request of theirs, so a
 * user's few direct gets never queue behind theirs at the server and in this process: at 1M events the lookups
 * after a build ran 32 at once for seconds and put the timeline's p99 at 60-100 ms instead of a few ms.
 */
export class UserReads {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  async run<T>(read: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await read();
    } finally {
      if (--this.inFlight === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Resolves once no user read is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
