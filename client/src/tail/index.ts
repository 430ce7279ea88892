/**
 * The live tail panel (`naq.tail`): one at a time. The extension starts the backend tail
 * (`tail/start`), keeps the last lines of its `tail/events` batches (so a hidden-and-shown page gets
 * them back) and forwards each batch to the page. Closing the panel stops the tail.
 */
import * as vscode from 'vscode';
import { TailEventsNotification, TailStartRequest, TailStopRequest, type TailBatch, type TailParams } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, webviewLog } from '../webview/log';
import { TailToExtension, type TailMessage, type TailStatus, type ToTail } from '../webview/messages';
import { loadWebview, onValidMessage, post, webviewOptions } from '../webview/panel';
import { TailBuffer } from './tailBuffer';

export const TAIL_VIEW_TYPE = 'naq.tail';
/** Batches that arrive before `tail/start` has answered with their tail id. */
const MAX_EARLY_BATCHES = 100;

let current: TailPanel | undefined;

/** Opens the tail panel (or reuses it) and starts tailing with `params`, replacing a running tail. */
export async function startTailView(context: vscode.ExtensionContext, client: BackendClient, params: TailParams): Promise<void> {
  if (!current || current.client !== client) {
    current?.close();
    current = new TailPanel(context, client);
  } else {
    current.reveal();
  }
  await current.start(params);
}

/** Stops the running tail; the panel stays, with its lines, and can restart it. */
export async function stopTailView(): Promise<void> {
  await current?.stop();
}

function describePattern(params: TailParams): string {
  if (params.pattern) return params.pattern;
  return params.types?.length ? `types ${params.types.join(', ')}` : 'failures';
}

class TailPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly buffer = new TailBuffer();
  private params: TailParams = {};
  private pattern = '';
  private tailId: string | null = null;
  private running = false;
  private error: string | null = null;
  /** Bumped by every start and stop, so an answer to an older one is recognised. */
  private generation = 0;
  private early: TailBatch[] = [];
  private starting = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly client: BackendClient,
  ) {
    this.panel = vscode.window.createWebviewPanel(TAIL_VIEW_TYPE, 'NAQ Tail', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context.extensionUri));
    loadWebview(this.panel.webview, context.extensionUri, 'tail', 'NAQ Tail');
    this.disposables.push(
      onValidMessage(this.panel.webview, TailToExtension, 'tail', (message) => this.onMessage(message)),
      client.onNotification(TailEventsNotification.type, (batch) => this.onBatch(batch)),
      client.onDidChangeState(() => {
        if (this.running && !client.running) {
          // The backend went away and its tails with it.
          this.running = false;
          this.tailId = null;
          this.error = 'The NAQ backend stopped; restart the tail once it is connected again.';
          this.sendStatus();
        }
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  close(): void {
    this.panel.dispose();
  }

  private status(): TailStatus {
    return { running: this.running, pattern: this.pattern, params: this.params, skipped: this.buffer.skipped, error: this.error };
  }

  private send(message: ToTail): void {
    if (!this.disposed) post(this.panel.webview, message);
  }

  private sendStatus(): void {
    this.panel.title = `NAQ Tail${this.running ? '' : ' (stopped)'}: ${this.pattern}`;
    this.send({ type: 'status', body: { status: this.status() } });
  }

  async start(params: TailParams): Promise<void> {
    await this.stop();
    const generation = ++this.generation;
    this.params = { ...params };
    this.pattern = describePattern(params);
    this.error = null;
    this.buffer.reset();
    this.early = [];
    this.send({ type: 'reset', body: { lines: [], status: { ...this.status(), running: true }, cap: this.buffer.cap } });
    this.starting = true;
    try {
      const started = await this.client.request(TailStartRequest.type, this.params);
      if (generation === this.generation) this.starting = false;
      if (this.disposed || generation !== this.generation) {
        // Stopped or replaced while starting: this tail is nobody's.
        await this.client.request(TailStopRequest.type, { tailId: started.tailId }).catch(() => undefined);
        return;
      }
      this.tailId = started.tailId;
      this.pattern = started.pattern;
      this.running = true;
      const early = this.early;
      this.early = [];
      for (const batch of early) this.onBatch(batch);
    } catch (error) {
      if (generation !== this.generation) return;
      this.starting = false;
      this.running = false;
      this.error = `Could not start the tail: ${errorText(error)}`;
      webviewLog().warn(`tail: ${this.error}`);
    }
    this.sendStatus();
  }

  async stop(): Promise<void> {
    this.generation++;
    this.starting = false;
    const tailId = this.tailId;
    this.tailId = null;
    this.early = [];
    if (!this.running && tailId === null) return;
    this.running = false;
    if (tailId !== null) {
      try {
        await this.client.request(TailStopRequest.type, { tailId });
      } catch (error) {
        webviewLog().warn(`tail: stopping ${tailId} failed: ${errorText(error)}`);
      }
    }
    this.sendStatus();
  }

  private onBatch(batch: TailBatch): void {
    if (this.disposed) return;
    if (this.tailId === null) {
      // Starting: the answer with our tail id may come after the first batch.
      if (this.starting && this.early.length < MAX_EARLY_BATCHES) this.early.push(batch);
      return;
    }
    if (batch.tailId !== this.tailId) return;
    const lines = this.buffer.add(batch, Date.now() / 1000);
    if (lines.length > 0) this.send({ type: 'lines', body: { lines, skipped: this.buffer.skipped } });
  }

  private async onMessage(message: TailMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.send({ type: 'reset', body: { lines: [...this.buffer.all], status: this.status(), cap: this.buffer.cap } });
        return;
      case 'clear':
        this.buffer.clear();
        return;
      case 'openTimeline':
        await vscode.commands.executeCommand('naq.openTimeline', message.body.jobId);
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
    this.running = false;
    if (tailId !== null) {
      this.client.request(TailStopRequest.type, { tailId }).catch((error: unknown) => webviewLog().warn(`tail: stopping ${tailId} failed: ${errorText(error)}`));
    }
    for (const d of this.disposables) d.dispose();
    if (current === this) current = undefined;
  }
}
