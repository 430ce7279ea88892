/** The page's handle on VS Code: typed posting, typed state, and errors reported to the extension. */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host<Out extends { type: string; body: unknown }, State> {
  post(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

/** `acquireVsCodeApi` may be called once per page; this is that call. */
export function connect<Out extends { type: string; body: unknown }, State>(isState: (value: unknown) => value is State): Host<Out, State> {
  const api = acquireVsCodeApi();
  const host: Host<Out, State> = {
    post: (message) => api.postMessage(message),
    getState: () => {
      const state = api.getState();
      return isState(state) ? state : undefined;
    },
    setState: (state) => api.setState(state),
  };
  const report = (message: string) => {
    try {
      api.postMessage({ type: 'scriptError', body: { message: message.slice(0, 4000) } });
    } catch {
      // nothing left to report to
    }
  };
  window.addEventListener('error', (event) => report(`${event.message} (${event.filename}:${event.lineno})`));
  window.addEventListener('unhandledrejection', (event) => report(`unhandled rejection: ${String(event.reason)}`));
  return host;
}

/** Messages from the extension: only objects with a string `type` and an object `body` reach `handler`. */
export function onHostMessage<In extends { type: string; body: unknown }>(handler: (message: In) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== 'object' || data === null) return;
    const { type, body } = data as { type?: unknown; body?: unknown };
    if (typeof type !== 'string' || typeof body !== 'object' || body === null) return;
    handler(data as In);
  });
}
