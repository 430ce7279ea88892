/**
 * The analytics dashboard panel (`naq.stats`): one at a time. It reads `stats/get` when opened, on
 * Refresh, and, while visible, at most every few seconds when the index changes.
 */
import * as vscode from 'vscode';
import type { JobStats } from '../../../server/src/protocol/protocol';
import { IndexChangedNotification, StatsRequest } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, webviewLog } from '../webview/log';
import { StatsToExtension, type StatsMessage, type ToStats } from '../webview/messages';
import { loadWebview, onValidMessage, post, webviewOptions } from '../webview/panel';
import { SingleFlight } from '../webview/singleFlight';
import { Throttle } from '../webview/throttle';

export const STATS_VIEW_TYPE = 'naq.stats';
const LIVE_INTERVAL_MS = 3000;

let current: StatsPanel | undefined;

export function showStats(context: vscode.ExtensionContext, client: BackendClient): void {
  if (current && current.client === client) {
    current.reveal();
    return;
  }
  current?.close();
  current = new StatsPanel(context, client);
}

class StatsPanel {
  private readonly panel: vscode.WebviewPanel;
  private stats: JobStats | null = null;
  private updatedAt = 0;
  private error: string | null = null;
  private stale = false;
  private disposed = false;
  private readonly throttle = new Throttle(LIVE_INTERVAL_MS, () => this.load());
  private readonly loader = new SingleFlight(() => this.loadOnce());
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly client: BackendClient,
  ) {
    this.panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, vscode.l10n.t('NAQ Job Analytics'), { viewColumn: vscode.ViewColumn.Active }, webviewOptions(context.extensionUri));
    loadWebview(this.panel.webview, context.extensionUri, 'stats', vscode.l10n.t('NAQ Job Analytics'));
    this.disposables.push(
      onValidMessage(this.panel.webview, StatsToExtension, 'stats', (message) => this.onMessage(message)),
      client.onNotification(IndexChangedNotification.type, () => {
        if (this.panel.visible) this.throttle.trigger();
        else this.stale = true;
      }),
      client.onDidChangeState((state) => {
        if (state.phase === 'connected' && this.error !== null) void this.load();
      }),
      this.panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) void this.load();
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
    void this.load();
  }

  reveal(): void {
    this.panel.reveal();
  }

  close(): void {
    this.panel.dispose();
  }

  private send(message: ToStats): void {
    if (!this.disposed) post(this.panel.webview, message);
  }

  private load(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return this.loader.run();
  }

  private async loadOnce(): Promise<void> {
    this.stale = false;
    this.send({ type: 'loading', body: {} });
    try {
      this.stats = await this.client.request(StatsRequest.type);
      this.updatedAt = Date.now();
      this.error = null;
      this.send({ type: 'stats', body: { stats: this.stats, updatedAt: this.updatedAt } });
    } catch (error) {
      this.error = errorText(error);
      webviewLog().warn(`stats: ${this.error}`);
      this.send({ type: 'error', body: { message: this.error } });
    }
  }

  private async onMessage(message: StatsMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.stats) this.send({ type: 'stats', body: { stats: this.stats, updatedAt: this.updatedAt } });
        if (this.loader.busy) this.send({ type: 'loading', body: {} });
        else if (this.error !== null) this.send({ type: 'error', body: { message: this.error } });
        if (this.stale) void this.load();
        return;
      case 'refresh':
        return this.load();
      case 'scriptError':
        return;
    }
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.cancel();
    for (const d of this.disposables) d.dispose();
    if (current === this) current = undefined;
  }
}
