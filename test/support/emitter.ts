/** A stand-in for `vscode.EventEmitter` in unit tests of client code that runs without an editor. */
export type Handler<T> = (value: T) => void;

export class Emitter<T> {
  private handlers: Handler<T>[] = [];
  event = (handler: Handler<T>) => {
    this.handlers.push(handler);
    return { dispose: () => (this.handlers = this.handlers.filter((h) => h !== handler)) };
  };
  fire(value: T): void {
    for (const handler of [...this.handlers]) handler(value);
  }
  dispose(): void {
    this.handlers = [];
  }
  /** Listeners still subscribed: a panel that forgot to dispose one shows here. */
  get count(): number {
    return this.handlers.length;
  }
}
