/**
 * Shared webview plumbing: options that keep a panel to its own assets, the HTML shell with a
 * fresh nonce, and a message listener that only passes on messages its spec declares.
 */
import * as vscode from 'vscode';
import { makeNonce, renderShell } from './html';
import { webviewBundle } from '../util/l10n';
import { webviewLog } from './log';
import { MessageOf, MessageSpec, parseWebviewMessage } from './messages';

/** The bundled scripts, styles and codicons: the only folder a webview may load from (besides `media`). */
export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'media');
}

/**
 * Options for every panel. No `retainContextWhenHidden`: each page keeps its view state with
 * `setState` and the extension keeps the data, re-sent when the page says `ready`.
 */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [mediaRoot(extensionUri), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export type ViewName = 'timeline' | 'tail' | 'stats';

/** Sets (or resets) a webview's options and its HTML, with a new nonce. */
export function loadWebview(webview: vscode.Webview, extensionUri: vscode.Uri, view: ViewName, title: string): void {
  webview.options = webviewOptions(extensionUri);
  const root = mediaRoot(extensionUri);
  const asUri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  webview.html = renderShell({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    title,
    view,
    scriptUri: asUri(`${view}.js`),
    styleUris: [asUri('codicon.css'), asUri(`${view}.css`)],
    l10nBundle: webviewBundle(),
  });
}

/**
 * Listens to a webview, validating every message against `spec`. Malformed or undeclared messages
 * are logged and dropped; `scriptError` messages are logged; the rest go to `handler`.
 */
export function onValidMessage<M extends MessageSpec>(
  webview: vscode.Webview,
  spec: M,
  source: string,
  handler: (message: MessageOf<M>) => void | Promise<void>,
): vscode.Disposable {
  return webview.onDidReceiveMessage((raw: unknown) => {
    const parsed = parseWebviewMessage(spec, raw);
    if (!parsed.ok) {
      webviewLog().warn(`${source}: ignored a webview message (${parsed.reason})`);
      return;
    }
    const message = parsed.message as { type: string; body: Record<string, unknown> };
    if (message.type === 'scriptError') {
      webviewLog().error(`${source}: script error: ${String(message.body.message)}`);
      return;
    }
    Promise.resolve()
      .then(() => handler(parsed.message))
      .catch((error: unknown) => webviewLog().error(`${source}: handling '${message.type}' failed: ${error instanceof Error ? error.message : String(error)}`));
  });
}

/** Posts a typed envelope; a hidden or disposed webview drops it (the page asks again with `ready`). */
export function post<T extends { type: string; body: unknown }>(webview: vscode.Webview, message: T): void {
  void postDelivered(webview, message);
}

/** {@link post}, telling whether the page got the message (false when hidden or disposed). */
export async function postDelivered<T extends { type: string; body: unknown }>(webview: vscode.Webview, message: T): Promise<boolean> {
  try {
    return await webview.postMessage(message);
  } catch {
    // Disposed meanwhile: nobody is listening.
    return false;
  }
}
