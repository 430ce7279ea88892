/**
 * The live tail panels (`naq.tail`): one per pattern, side by side. The extension starts the
 * backend tail (`tail/start`), keeps the last lines of its `tail/events` batches (so a hidden-and-shown
 * page gets them back) and forwards each batch to the page. Whenever the backend's connection comes
 * back (a settings change, a NATS restart, a backend restart), a live tail subscribes again right
 * after the last event it showed. Closing the panel stops the tail; a reload restores it.
 */
import * as vscode from 'vscode';
import { TailEventsNotification, TailStartRequest, TailStopRequest, type TailBatch, type TailParams } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, webviewLog } from '../webview/log';
import { TailToExtension, type TailLine, type TailMessage, type TailStatus, type TailViewState, type ToTail } from '../webview/messages';
import { loadWebview, onValidMessage, post, postDelivered, webviewOptions } from '../webview/panel';
import { TailBuffer } from './tailBuffer';
import { describeTail, isTailParams, TailLifecycle, tailKey } from './tailLifecycle';

export const TAIL_VIEW_TYPE = 'naq.tail';
/** Batches that arrive before `tail/start` has answered with their tail id. */
const MAX_EARLY_BATCHES = 100;

const panels = new Set<TailPanel>();
/** The panel the user looked at last: Stop Tail stops it. */
let lastActive: TailPanel | undefined;

function markActive(panel: TailPanel): void {
  lastActive = panel;
}

/** Opens a tail of `params` beside the others, or restarts the panel that already tails the same thing. */
export async function startTailView(context: vscode.ExtensionContext, client: BackendClient, params: TailParams): Promise<void> {
  let panel = [...panels].find((p) => p.client === client && p.key === tailKey(params));
  if (panel) {
    panel.reveal();
  } else {
    const webviewPanel = vscode.window.createWebviewPanel(TAIL_VIEW_TYPE, vscode.l10n.t('NAQ Tail'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context.extensionUri));
    panel = new TailPanel(context, client, webviewPanel, params);
  }
  await panel.start(params);
}

/** Stops the tail the user looked at last; its panel stays, with its lines, and can restart it. */
export async function stopTailView(): Promise<void> {
  await lastActive?.stop();
}

/**
 * Restores tail panels after a reload from the params their pages saved, and restarts them; a panel
 * without usable state is closed, so nothing empty is left behind. `package.json` needs the
 * activation event `onWebviewPanel:naq.tail`.
 */
export function registerTailSerializer(context: vscode.ExtensionContext, client: BackendClient): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(TAIL_VIEW_TYPE, {
    async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const params = (state as Partial<TailViewState> | undefined)?.params;
      if (!isTailParams(params)) {
        webviewLog().warn('tail: a restored panel had no usable state; closing it');
        webviewPanel.dispose();
        return;
      }
      const restored = { ...params, backfill: undefined };
      await new TailPanel(context, client, webviewPanel, restored).start(restored);
    },
  });
}

class TailPanel {
  private readonly buffer = new TailBuffer();
  private readonly lifecycle = new TailLifecycle();
  private params: TailParams;
  private tailId: string | null = null;
  /** Bumped by every start and stop, so an answer to an older one is recognised. */
  private generation = 0;
  private early: TailBatch[] = [];
  /**
   * Lines for the page not sent yet, and the number of the `lines` message it has not confirmed.
   * One message is in flight at a time, and lines that come meanwhile go together in the next:
   * the editor reads the messages of its connection to the extension host one by one, and on a
   * busy machine a message per backend batch (up to 50 a second) queued there for seconds.
   */
  private unsent: TailLine[] = [];
  private inFlight: number | null = null;
  private lastBatch = 0;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly client: BackendClient,
    private readonly panel: vscode.WebviewPanel,
    params: TailParams,
  ) {
    this.params = { ...params };
    panels.add(this);
    markActive(this);
    panel.webview.options = webviewOptions(context.extensionUri);
    loadWebview(panel.webview, context.extensionUri, 'tail', vscode.l10n.t('NAQ Tail'));
    this.disposables.push(
      onValidMessage(panel.webview, TailToExtension, 'tail', (message) => this.onMessage(message)),
      client.onNotification(TailEventsNotification.type, (batch) => this.onBatch(batch)),
      client.onDidChangeState((state) => {
        const before = { state: this.lifecycle.state, reason: this.lifecycle.reason };
        if (this.lifecycle.connection(state.phase, state.detail)) {
          void this.resubscribe();
        } else if (this.lifecycle.state !== before.state || this.lifecycle.reason !== before.reason) {
          this.tailId = null;
          this.sendStatus();
        }
      }),
      panel.onDidChangeViewState(() => {
        if (panel.active) markActive(this);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get key(): string {
    return tailKey(this.params);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private status(): TailStatus {
    return { state: this.lifecycle.state, pattern: describeTail(this.params), params: this.params, skipped: this.buffer.skipped, reason: this.lifecycle.reason };
  }

  private send(message: ToTail): void {
    if (!this.disposed) post(this.panel.webview, message);
  }

  private sendStatus(): void {
    const what = describeTail(this.params);
    this.panel.title = {
      live: () => vscode.l10n.t('NAQ Tail: {0}', what),
      starting: () => vscode.l10n.t('NAQ Tail (starting): {0}', what),
      reconnecting: () => vscode.l10n.t('NAQ Tail (reconnecting): {0}', what),
      stopped: () => vscode.l10n.t('NAQ Tail (stopped): {0}', what),
    }[this.lifecycle.state]();
    this.send({ type: 'status', body: { status: this.status() } });
  }

  /** A new tail of `params`: the lines of the previous one go. */
  async start(params: TailParams): Promise<void> {
    await this.stop();
    this.params = { ...params };
    this.buffer.reset();
    this.lifecycle.reset();
    this.lifecycle.starting(this.client.state.phase, this.client.state.detail);
    this.sendReset();
    if (this.lifecycle.state === 'starting') await this.subscribe(this.params);
    else this.sendStatus();
  }

  /** The connection is back: the same tail again, right after the last event shown. */
  private async resubscribe(): Promise<void> {
    const old = this.tailId;
    this.tailId = null;
    if (old !== null) this.client.request(TailStopRequest.type, { tailId: old }).catch(() => undefined);
    this.lifecycle.starting('connected', '');
    this.sendStatus();
    await this.subscribe(this.lifecycle.resumeParams(this.params));
  }

  private async subscribe(params: TailParams): Promise<void> {
    const generation = ++this.generation;
    this.early = [];
    try {
      const started = await this.client.request(TailStartRequest.type, params);
      if (this.disposed || generation !== this.generation) {
        // Stopped or replaced while starting: this tail is nobody's.
        await this.client.request(TailStopRequest.type, { tailId: started.tailId }).catch(() => undefined);
        return;
      }
      this.tailId = started.tailId;
      this.lifecycle.started(started.lastSeq, params.backfill !== undefined);
      // The header says live before the page shows the first line that arrived while starting.
      this.sendStatus();
      const early = this.early;
      this.early = [];
      for (const batch of early) this.onBatch(batch);
    } catch (error) {
      if (generation !== this.generation) return;
      this.lifecycle.failed(vscode.l10n.t('Could not start the tail: {0}', errorText(error)), this.client.state.phase);
      webviewLog().warn(`tail: ${this.lifecycle.reason ?? ''}`);
      this.sendStatus();
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    const tailId = this.tailId;
    this.tailId = null;
    this.early = [];
    const wasStopped = this.lifecycle.state === 'stopped';
    this.lifecycle.stopped();
    if (tailId !== null) {
      try {
        await this.client.request(TailStopRequest.type, { tailId });
      } catch (error) {
        webviewLog().warn(`tail: stopping ${tailId} failed: ${errorText(error)}`);
      }
    }
    if (!wasStopped) this.sendStatus();
  }

  private onBatch(batch: TailBatch): void {
    if (this.disposed) return;
    if (this.tailId === null) {
      // Starting: the answer with our tail id may come after the first batch.
      if (this.lifecycle.state === 'starting' && this.early.length < MAX_EARLY_BATCHES) this.early.push(batch);
      return;
    }
    if (batch.tailId !== this.tailId) return;
    const events = batch.events.filter((event) => this.lifecycle.admit(typeof event.nats_sequence === 'number' ? event.nats_sequence : null));
    const lines = this.buffer.add({ ...batch, events }, Date.now() / 1000);
    if (lines.length === 0) return;
    this.unsent.push(...lines);
    // The page keeps the last `cap` lines: older ones would be dropped on arrival.
    if (this.unsent.length > this.buffer.cap) this.unsent.splice(0, this.unsent.length - this.buffer.cap);
    this.sendLines();
  }

  /** Sends the lines that came since the last `lines` message, once the page has confirmed it. */
  private sendLines(): void {
    if (this.inFlight !== null || this.unsent.length === 0 || this.disposed) return;
    const batch = ++this.lastBatch;
    this.inFlight = batch;
    const lines = this.unsent;
    this.unsent = [];
    // Not delivered: the page is gone, and the next one asks with `ready` and gets the whole buffer.
    void postDelivered(this.panel.webview, { type: 'lines', body: { lines, skipped: this.buffer.skipped, batch } }).then((delivered) => {
      if (!delivered && this.inFlight === batch) this.inFlight = null;
    });
  }

  /** Everything the extension keeps, in place of what the page shows; nothing is in flight after it. */
  private sendReset(): void {
    this.unsent = [];
    this.inFlight = null;
    this.send({ type: 'reset', body: { lines: [...this.buffer.all], status: this.status(), cap: this.buffer.cap } });
  }

  /** The timeline opens in another group than the tail's, never over it. */
  private otherColumn(): vscode.ViewColumn {
    return this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  }

  private async onMessage(message: TailMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.sendReset();
        return;
      case 'received':
        if (message.body.batch === this.inFlight) {
          this.inFlight = null;
          this.sendLines();
        }
        return;
      case 'clear':
        this.buffer.clear();
        this.unsent = [];
        return;
      case 'openTimeline':
        await vscode.commands.executeCommand('naq.openTimeline', message.body.jobId, this.otherColumn());
        return;
      case 'stop':
        return this.stop();
      case 'restart':
        return this.start(this.params);
      case 'scriptError':
        return;
    }
  }

  private dispose(): void {
    if (this.disposed) return;
    const tailId = this.tailId;
    this.disposed = true;
    this.generation++;
    this.tailId = null;
    this.lifecycle.stopped();
    if (tailId !== null) {
      this.client.request(TailStopRequest.type, { tailId }).catch((error: unknown) => webviewLog().warn(`tail: stopping ${tailId} failed: ${errorText(error)}`));
    }
    for (const d of this.disposables) d.dispose();
    panels.delete(this);
    if (lastActive === this) lastActive = [...panels].pop();
  }
}
