/**
 * One timeline panel per job (`naq.timeline`). The extension reads the timeline (`jobs/timeline`),
 * keeps the last one, and re-reads it when `index/changed` names the job; the page keeps its own
 * view state (setState), so a hidden-and-shown or reloaded panel comes back where it was.
 */
import * as vscode from 'vscode';
import { IndexChangedNotification, TimelineRequest, type IndexChange, type Timeline } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, webviewLog } from '../webview/log';
import { isTimelineViewState, TimelineToExtension, type TimelineMessage, type TimeMode, type ToTimeline } from '../webview/messages';
import { loadWebview, onValidMessage, post, webviewOptions } from '../webview/panel';
import { SingleFlight } from '../webview/singleFlight';
import { extendsTimeline, shouldReload, Throttle } from './refresh';

export const TIMELINE_VIEW_TYPE = 'naq.timeline';
/** The time display new panels start with; the last one chosen in any panel. */
const TIME_MODE_KEY = 'naq.timeline.timeMode';
/** Least time between two reads of one timeline caused by `index/changed`. */
const LIVE_INTERVAL_MS = 1000;

const panels = new Map<string, TimelinePanel>();

function panelTitle(jobId: string): string {
  return `Job ${jobId.length > 40 ? `${jobId.slice(0, 39)}…` : jobId}`;
}

function savedTimeMode(context: vscode.ExtensionContext): TimeMode {
  const mode = context.globalState.get<string>(TIME_MODE_KEY);
  return mode === 'relative' || mode === 'utc' ? mode : 'local';
}

/** Opens the timeline of `jobId`, or reveals the panel that already shows it. */
export function showTimeline(context: vscode.ExtensionContext, client: BackendClient, jobId: string, column: vscode.ViewColumn = vscode.ViewColumn.Active): void {
  const existing = panels.get(jobId);
  if (existing) {
    existing.reveal();
    return;
  }
  const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, panelTitle(jobId), { viewColumn: column }, webviewOptions(context.extensionUri));
  new TimelinePanel(context, client, panel, jobId, savedTimeMode(context));
}

/**
 * Restores timeline panels after a reload, from the state their pages saved. Call at activation;
 * `package.json` needs the activation event `onWebviewPanel:naq.timeline`.
 */
export function registerTimelineSerializer(context: vscode.ExtensionContext, client: BackendClient): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      if (!isTimelineViewState(state)) {
        webviewLog().warn('timeline: a restored panel had no usable state; closing it');
        panel.dispose();
        return;
      }
      const existing = panels.get(state.jobId);
      if (existing) {
        panel.dispose();
        existing.reveal();
        return;
      }
      new TimelinePanel(context, client, panel, state.jobId, state.timeMode);
    },
  });
}

class TimelinePanel {
  private timeline: Timeline | null = null;
  /** The timeline the page was last sent in full or by appends; null when the page must get it whole. */
  private sent: Timeline | null = null;
  private updatedAt = 0;
  private error: string | null = null;
  /** The job changed while the panel was hidden: read when shown. */
  private stale = false;
  private disposed = false;
  private readonly throttle: Throttle;
  private readonly loader = new SingleFlight(() => this.loadOnce());
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: BackendClient,
    private readonly panel: vscode.WebviewPanel,
    private readonly jobId: string,
    private readonly timeMode: TimeMode,
  ) {
    panels.set(jobId, this);
    panel.title = panelTitle(jobId);
    loadWebview(panel.webview, context.extensionUri, 'timeline', `Job ${jobId}`);
    this.throttle = new Throttle(LIVE_INTERVAL_MS, () => this.load());
    this.disposables.push(
      onValidMessage(panel.webview, TimelineToExtension, `timeline ${jobId}`, (message) => this.onMessage(message)),
      client.onNotification(IndexChangedNotification.type, (change) => this.onIndexChanged(change)),
      client.onDidChangeState((state) => {
        if (state.phase === 'connected' && this.error !== null) void this.load();
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.stale) void this.load();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    void this.load();
  }

  reveal(): void {
    this.panel.reveal();
  }

  private send(message: ToTimeline): void {
    if (!this.disposed) post(this.panel.webview, message);
  }

  private onIndexChanged(change: IndexChange): void {
    if (!shouldReload(change, this.jobId)) return;
    if (this.panel.visible) this.throttle.trigger();
    else this.stale = true;
  }

  private load(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return this.loader.run();
  }

  private async loadOnce(): Promise<void> {
    this.stale = false;
    this.send({ type: 'loading', body: { jobId: this.jobId } });
    try {
      const timeline = await this.client.request(TimelineRequest.type, { jobId: this.jobId });
      this.timeline = timeline;
      this.updatedAt = Date.now();
      this.error = null;
      this.sendTimeline(timeline);
    } catch (error) {
      this.error = errorText(error);
      webviewLog().warn(`timeline ${this.jobId}: ${this.error}`);
      this.send({ type: 'error', body: { jobId: this.jobId, message: this.error } });
    }
  }

  /** Sends only the new events when the page's timeline is a prefix of this one: a long job's update stays small. */
  private sendTimeline(timeline: Timeline): void {
    const previous = this.sent;
    this.sent = timeline;
    if (previous && extendsTimeline(previous, timeline)) {
      const { events, ...rest } = timeline;
      this.send({ type: 'append', body: { from: previous.events.length, events: events.slice(previous.events.length), rest, updatedAt: this.updatedAt } });
    } else {
      this.send({ type: 'timeline', body: { timeline, updatedAt: this.updatedAt } });
    }
  }

  private async onMessage(message: TimelineMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.send({ type: 'init', body: { jobId: this.jobId, timeMode: this.timeMode } });
        // A (re)loaded page has nothing: it gets the whole timeline.
        this.sent = null;
        if (this.timeline) this.sendTimeline(this.timeline);
        if (this.loader.busy) this.send({ type: 'loading', body: { jobId: this.jobId } });
        else if (this.error !== null) this.send({ type: 'error', body: { jobId: this.jobId, message: this.error } });
        if (this.stale) void this.load();
        return;
      case 'refresh':
        return this.load();
      case 'timeMode':
        await this.context.globalState.update(TIME_MODE_KEY, message.body.mode);
        return;
      case 'copyEvent':
        return this.copyEvent(message.body.index, message.body.seq);
      case 'scriptError':
        return; // logged by onValidMessage
    }
  }

  private async copyEvent(index: number, seq: number | null): Promise<void> {
    const event = this.timeline?.events[index];
    if (!event || (event.nats_sequence ?? null) !== seq) {
      webviewLog().warn(`timeline ${this.jobId}: copy asked for event ${index} (#${seq}), which is not in the current timeline`);
      return;
    }
    await vscode.env.clipboard.writeText(JSON.stringify(event, null, 2));
    vscode.window.setStatusBarMessage(`Copied event ${seq === null ? index + 1 : `#${seq}`} of job ${this.jobId} as JSON`, 3000);
    this.send({ type: 'copied', body: { index } });
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.cancel();
    if (panels.get(this.jobId) === this) panels.delete(this.jobId);
    for (const d of this.disposables) d.dispose();
  }
}
