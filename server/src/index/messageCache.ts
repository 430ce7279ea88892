/**
 * Last messages repeat ("Job completed successfully in ..."): one copy of each of the recent ones.
 * Bounded, because messages that embed ids or durations never repeat.
 */
export class MessageCache {
  private readonly known = new Map<string, string>();

  constructor(private readonly capacity = 4096) {}

  get(message: string): string;
  get(message: string | null): string | null;
  get(message: string | null): string | null {
    if (message === null) return null;
    const known = this.known.get(message);
    if (known !== undefined) return known;
    if (this.known.size >= this.capacity) this.known.clear();
    this.known.set(message, message);
    return message;
  }
}
