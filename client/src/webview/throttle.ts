/**
 * Runs an action at most once per interval however often it is triggered: the first trigger after
 * a quiet interval runs at once, later ones collapse into one run at the end of the interval.
 * Pure (timers only), unit-tested.
 */
export class Throttle {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => unknown,
    private readonly now: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.timer !== undefined) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.last = this.now();
    void Promise.resolve()
      .then(this.action)
      .catch(() => undefined);
  }
}
