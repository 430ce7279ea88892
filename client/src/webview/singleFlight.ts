/**
 * Runs a load one at a time: asked again while it runs, it runs once more when it is done, however
 * often it was asked meanwhile, so the last answer shown is never older than the last request.
 * Pure, unit-tested.
 */
export class SingleFlight {
  private running = false;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  get busy(): boolean {
    return this.running;
  }

  async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await this.task();
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      void this.run();
    }
  }
}
