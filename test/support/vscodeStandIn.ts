/**
 * What unit tests of client code need to run it without an editor: `vscode` answered by a stand-in the
 * test builds, and a stand-in for `vscode.EventEmitter`.
 */
import Module, { createRequire } from 'node:module';
import { after } from 'node:test';

/** A stand-in for `vscode.EventEmitter`. */
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

/**
 * Makes `require('vscode')` return `fake` until the test file ends, and gives the `require` to load the
 * modules under test with (after this call: they take `vscode` when they are loaded).
 */
export function requireWithVscode(fake: object, filename: string): NodeJS.Require {
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : originalLoad.call(this, request, ...rest);
  };
  after(() => {
    moduleWithLoad._load = originalLoad;
  });
  return createRequire(filename);
}
