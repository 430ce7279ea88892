/**
 * One timeline panel per job (`naq.timeline`). The extension reads the newest page of the timeline
 * (`jobs/timeline`), older pages when the page asks, and when `index/changed` names the job only
 * the events stored after the newest it holds; the page keeps its own view state (setState), so a
 * hidden-and-shown or reloaded panel comes back where it was.
 */
import * as vscode from 'vscode';
import { FailuresChangedNotification, FailuresJobRequest, IndexChangedNotification, TimelineRequest, type ConnectionState, type FailureCall, type IndexChange } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { openFrame } from '../failures/openFrame';
import { errorText, webviewLog } from '../webview/log';
import { isTimelineViewState, TimelineToExtension, type TimelineMessage, type TimeMode, type ToTimeline } from '../webview/messages';
import { loadWebview, onValidMessage, post, webviewOptions } from '../webview/panel';
import { SingleFlight } from '../webview/singleFlight';
import { TIMELINE_MAX_PAGE, TIMELINE_PAGE_SIZE, TimelineWindow } from './paging';
import { shouldReload, Throttle } from './refresh';
import { walkthroughOutcome } from '../walkthrough/progress';
import { isFailureType } from '../../../server/src/shared/events';

export const TIMELINE_VIEW_TYPE = 'naq.timeline';
/** The time display new panels start with; the last one chosen in any panel. */
const TIME_MODE_KEY = 'naq.timeline.timeMode';
/** Least time between two reads of one timeline caused by `index/changed`. */
const LIVE_INTERVAL_MS = 1000;

/** Two opens of the preview's job this close together are a double-click: it is kept open. */
const DOUBLE_CLICK_MS = 500;

const panels = new Map<string, TimelinePanel>();
/** The one panel the next open replaces (as a preview editor is), if any. */
let preview: { panel: TimelinePanel; openedAt: number } | null = null;

function panelTitle(jobId: string, isPreview: boolean): string {
  const shown = jobId.length > 40 ? `${jobId.slice(0, 39)}…` : jobId;
  return isPreview ? vscode.l10n.t('Job {0} (preview)', shown) : vscode.l10n.t('Job {0}', shown);
}

function savedTimeMode(context: vscode.ExtensionContext): TimeMode {
  const mode = context.globalState.get<string>(TIME_MODE_KEY);
  return mode === 'relative' || mode === 'utc' ? mode : 'local';
}

/**
 * Opens the timeline of `jobId` as files open: in the preview panel, which the next open replaces,
 * unless it is kept (opened twice in a row as by a double-click, or used: an event expanded or
 * copied, older events loaded, "Keep Open"). A job that has a panel already is revealed. `column`
 * (a tail asks for one other than its own) moves the preview, or the job's own panel, there.
 */
export function showTimeline(context: vscode.ExtensionContext, client: BackendClient, jobId: string, column?: vscode.ViewColumn, now = Date.now()): void {
  walkthroughOutcome('timelineOpened');
  const existing = panels.get(jobId);
  if (existing) {
    if (preview?.panel === existing && now - preview.openedAt <= DOUBLE_CLICK_MS) existing.keep();
    // Moved to the group asked for: a panel in the tail's own group would be shown over the tail.
    existing.reveal(column);
    return;
  }
  let webviewPanel: vscode.WebviewPanel;
  if (preview) {
    webviewPanel = preview.panel.detach();
    webviewPanel.reveal(column);
  } else {
    webviewPanel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, panelTitle(jobId, true), { viewColumn: column ?? vscode.ViewColumn.Active }, webviewOptions(context.extensionUri));
  }
  const panel = new TimelinePanel(context, client, webviewPanel, jobId, savedTimeMode(context), true);
  preview = { panel, openedAt: now };
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

/** While the backend says this, a read would only wait for its timeout: the panel says why at once. */
function unreachableReason(state: ConnectionState): string | null {
  if (state.phase !== 'disconnected' && state.phase !== 'no-server') return null;
  return vscode.l10n.t('Not connected to NATS: {0}', state.detail || vscode.l10n.t('the backend is disconnected'));
}

class TimelinePanel {
  /** The loaded part of the timeline: the newest page, older pages as asked for, newer events as they come. */
  private readonly window: TimelineWindow;
  /** The page holds exactly what `window` holds, so newer and older events can be sent alone. */
  private pageInSync = false;
  /** The next read must be whole (first read, a reset of the index, or a newest event without a sequence). */
  private readWhole = true;
  private updatedAt = 0;
  private error: string | null = null;
  /** The failed job's call from the failed-jobs stream; null until the backend knows one. */
  private call: FailureCall | null = null;
  /** The job changed while the panel was hidden: read when shown. */
  private stale = false;
  private disposed = false;
  private olderBusy = false;
  /** Detached: the webview panel went on to show another job. */
  private detached = false;
  private readonly throttle: Throttle;
  private readonly loader = new SingleFlight(() => this.loadOnce());
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: BackendClient,
    private readonly panel: vscode.WebviewPanel,
    private readonly jobId: string,
    private readonly timeMode: TimeMode,
    private isPreview = false,
  ) {
    panels.set(jobId, this);
    this.window = new TimelineWindow(jobId);
    panel.title = panelTitle(jobId, isPreview);
    loadWebview(panel.webview, context.extensionUri, 'timeline', vscode.l10n.t('Job {0}', jobId));
    this.throttle = new Throttle(LIVE_INTERVAL_MS, () => this.load());
    this.disposables.push(
      onValidMessage(panel.webview, TimelineToExtension, `timeline ${jobId}`, (message) => this.onMessage(message)),
      client.onNotification(IndexChangedNotification.type, (change) => this.onIndexChanged(change)),
      // NAQ may record the call after the failure's events, with nothing in the index to say so.
      client.onNotification(FailuresChangedNotification.type, () => {
        if (this.call === null && this.window.events.some((event) => isFailureType(event.event_type))) void this.readCall();
      }),
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

  /** Shows the panel in `column`, or where it is. */
  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** Stops being the preview: the next open gets a panel of its own. */
  keep(): void {
    if (preview?.panel === this) preview = null;
    if (!this.isPreview) return;
    this.isPreview = false;
    this.panel.title = panelTitle(this.jobId, false);
    this.send({ type: 'preview', body: { preview: false } });
  }

  /** Lets go of the webview panel (for the next job's timeline) without closing it. */
  detach(): vscode.WebviewPanel {
    this.detached = true;
    this.dispose();
    return this.panel;
  }

  private send(message: ToTimeline): void {
    if (!this.disposed && !this.detached) post(this.panel.webview, message);
  }

  private onIndexChanged(change: IndexChange): void {
    if (!shouldReload(change, this.jobId)) return;
    if (change.reset) this.readWhole = true;
    if (this.panel.visible) this.throttle.trigger();
    else this.stale = true;
  }

  private load(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return this.loader.run();
  }

  private async loadOnce(): Promise<void> {
    this.stale = false;
    const unreachable = unreachableReason(this.client.state);
    if (unreachable !== null) {
      this.fail(unreachable);
      return;
    }
    const afterSeq = this.readWhole ? null : this.window.lastSeq;
    if (afterSeq === null) this.send({ type: 'loading', body: { jobId: this.jobId } });
    try {
      if (afterSeq === null) await this.readNewest();
      else await this.readNewer(afterSeq);
      this.error = null;
    } catch (error) {
      this.fail(errorText(error));
      return;
    }
    await this.readCall();
  }

  /**
   * The failed job's function and argument reprs, once known: a job's call never changes, so it is asked for
   * again only while none is known (the failure may be stored after the timeline was first read).
   */
  private async readCall(): Promise<void> {
    if (this.call !== null) return;
    try {
      const job = await this.client.request(FailuresJobRequest.type, { jobId: this.jobId });
      // Two reads may cross (a load and a `failures/changed`): the call is sent once.
      if (!job?.call || this.call !== null) return;
      this.call = job.call;
      this.send({ type: 'call', body: { jobId: this.jobId, call: this.call } });
    } catch (error) {
      // The call is an extra beside the timeline: its absence is logged, not shown as a timeline error.
      webviewLog().warn(`timeline ${this.jobId}: the failed job's call could not be read: ${errorText(error)}`);
    }
  }

  private fail(message: string): void {
    this.error = message;
    webviewLog().warn(`timeline ${this.jobId}: ${message}`);
    this.send({ type: 'error', body: { jobId: this.jobId, message } });
  }

  /** The newest page, in place of everything held. */
  private async readNewest(): Promise<void> {
    const page = await this.client.request(TimelineRequest.type, { jobId: this.jobId, limit: TIMELINE_PAGE_SIZE });
    this.window.replace(page);
    this.readWhole = false;
    this.updatedAt = Date.now();
    this.sendWhole();
  }

  /** Only what was stored after the newest event held: a long job's live update stays small. */
  private async readNewer(afterSeq: number): Promise<void> {
    const from = this.window.events.length;
    let after = afterSeq;
    for (;;) {
      const page = await this.client.request(TimelineRequest.type, { jobId: this.jobId, afterSeq: after, limit: TIMELINE_MAX_PAGE });
      const added = this.window.appendNewer(page, after);
      const last = this.window.lastSeq;
      if (page.events.length < TIMELINE_MAX_PAGE || added.length === 0 || last === null) break;
      after = last;
    }
    this.updatedAt = Date.now();
    if (!this.pageInSync) {
      this.sendWhole();
      return;
    }
    const { events, ...rest } = this.window.timeline();
    this.send({ type: 'append', body: { from, events: events.slice(from), rest, updatedAt: this.updatedAt } });
  }

  private sendWhole(): void {
    this.pageInSync = true;
    this.send({ type: 'timeline', body: { timeline: this.window.timeline(), olderCount: this.window.olderCount, updatedAt: this.updatedAt } });
  }

  /** The page before the first event held (the page scrolled to its top, or asked with "Load older"). */
  private async loadOlder(): Promise<void> {
    const before = this.window.firstSeq;
    if (this.olderBusy || before === null || !this.pageInSync) return;
    const unreachable = unreachableReason(this.client.state);
    if (unreachable !== null) {
      this.send({ type: 'olderError', body: { message: unreachable } });
      return;
    }
    this.olderBusy = true;
    try {
      const page = await this.client.request(TimelineRequest.type, { jobId: this.jobId, beforeSeq: before, limit: TIMELINE_PAGE_SIZE });
      // Replaced meanwhile (a reset): the page was sent the new newest page instead.
      if (this.window.firstSeq !== before) return;
      const older = this.window.prependOlder(page, before);
      this.send({ type: 'older', body: { before, events: older, olderCount: this.window.olderCount, problems: this.window.timeline().problems } });
    } catch (error) {
      const message = errorText(error);
      webviewLog().warn(`timeline ${this.jobId}: older events: ${message}`);
      this.send({ type: 'olderError', body: { message } });
    } finally {
      this.olderBusy = false;
    }
  }

  private async onMessage(message: TimelineMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.send({ type: 'init', body: { jobId: this.jobId, timeMode: this.timeMode, preview: this.isPreview } });
        // A (re)loaded page has nothing: it gets everything held.
        this.pageInSync = false;
        if (this.window.loaded) this.sendWhole();
        if (this.call !== null) this.send({ type: 'call', body: { jobId: this.jobId, call: this.call } });
        if (this.loader.busy) this.send({ type: 'loading', body: { jobId: this.jobId } });
        else if (this.error !== null) this.send({ type: 'error', body: { jobId: this.jobId, message: this.error } });
        if (this.stale) void this.load();
        return;
      case 'refresh':
        this.readWhole = true;
        return this.load();
      case 'loadOlder':
        return this.loadOlder();
      case 'keep':
        this.keep();
        return;
      case 'timeMode':
        await this.context.globalState.update(TIME_MODE_KEY, message.body.mode);
        return;
      case 'copyEvent':
        return this.copyEvent(message.body.index, message.body.seq);
      case 'openFrame':
        return openFrame(this.client, this.jobId, message.body);
      case 'scriptError':
        return; // logged by onValidMessage
    }
  }

  private async copyEvent(index: number, seq: number | null): Promise<void> {
    const event = this.window.events[index];
    if (!event || (event.nats_sequence ?? null) !== seq) {
      webviewLog().warn(`timeline ${this.jobId}: copy asked for event ${index} (#${seq}), which is not in the current timeline`);
      return;
    }
    await vscode.env.clipboard.writeText(JSON.stringify(event, null, 2));
    vscode.window.setStatusBarMessage(
      seq === null ? vscode.l10n.t('Copied event {0} of job {1} as JSON', index + 1, this.jobId) : vscode.l10n.t('Copied event #{0} of job {1} as JSON', seq, this.jobId),
      3000,
    );
    this.send({ type: 'copied', body: { index } });
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.cancel();
    if (panels.get(this.jobId) === this) panels.delete(this.jobId);
    if (preview?.panel === this) preview = null;
    for (const d of this.disposables) d.dispose();
  }
}
