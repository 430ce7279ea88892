/**
 * When the backend process dies, restart it, but not forever: a backend that crashes on start
 * would otherwise restart in a loop. Up to `maxRestarts` within `windowMs`; after that the client
 * stays stopped and says so, until the user connects again (which calls `reset`).
 */
export interface RestartDecision {
  restart: boolean;
  /** Crashes counted within the window, this one included. */
  crashes: number;
}

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly maxRestarts = 5,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash and says whether to restart. */
  onCrash(): RestartDecision {
    const at = this.now();
    this.crashes = this.crashes.filter((t) => at - t < this.windowMs);
    this.crashes.push(at);
    return { restart: this.crashes.length <= this.maxRestarts, crashes: this.crashes.length };
  }

  reset(): void {
    this.crashes = [];
  }

  /** For messages: "5 times in 3 minutes". */
  describe(): string {
    const minutes = Math.round(this.windowMs / 60_000);
    return `${this.maxRestarts} times in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
}
