/**
 * The statistics dashboard panel (`naq.stats`): one at a time. It shows the stream's totals
 * (`stats/get`) and, over a chosen range, charts of the metrics aggregates (`metrics/query`) with a
 * per-queue or per-worker table. A live range follows `metrics/changed`; a range brushed on a chart
 * narrows the Jobs view; the series shown can be saved as CSV. A window reload brings it back, with
 * the range and grouping its page saved.
 */
import * as vscode from 'vscode';
import type { JobStats, MetricsResult } from '../../../server/src/protocol/protocol';
import { IndexChangedNotification, MetricsChangedNotification, MetricsQueryRequest, StatsRequest } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, webviewLog } from '../webview/log';
import { StatsToExtension, type ShownRange, type StatsGroupBy, type StatsMessage, type ToStats } from '../webview/messages';
import { loadWebview, onValidMessage, post, webviewOptions } from '../webview/panel';
import { SingleFlight } from '../webview/singleFlight';
import { Throttle } from '../webview/throttle';
import { metricsCsv } from './csv';
import { customRange, MINUTE, presetRange, slide } from './range';

export const STATS_VIEW_TYPE = 'naq.stats';
const LIVE_INTERVAL_MS = 3000;
/** The server sends `metrics/changed` at most once a second; the charts redraw at most this often. */
const METRICS_INTERVAL_MS = 2000;

/** What a brushed range narrows (the Jobs view, through `naq.filterJobsByTime`), shown on the page. */
export interface JobsTimeFilter {
  readonly timeFilter: { from: number; to: number } | undefined;
  readonly onDidChangeTimeFilter: vscode.Event<{ from: number; to: number } | undefined>;
}

let current: StatsPanel | undefined;

export function showStats(context: vscode.ExtensionContext, client: BackendClient, jobs: JobsTimeFilter): void {
  if (current && current.client === client) {
    current.reveal();
    return;
  }
  current?.close();
  const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, vscode.l10n.t('NAQ Job Analytics'), { viewColumn: vscode.ViewColumn.Active }, webviewOptions(context.extensionUri));
  current = new StatsPanel(context, client, jobs, panel);
}

/**
 * Restores the panel after a reload. Its page keeps its range and grouping with setState and asks
 * for them again as it loads, so the panel needs nothing from the saved state; a second restored
 * panel (there is one at a time) is closed. `package.json` needs the activation event
 * `onWebviewPanel:naq.stats`.
 */
export function registerStatsSerializer(context: vscode.ExtensionContext, client: BackendClient, jobs: JobsTimeFilter): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(STATS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      if (current) {
        panel.dispose();
        current.reveal();
        return;
      }
      current = new StatsPanel(context, client, jobs, panel);
    },
  });
}

interface ShownMetrics {
  range: ShownRange;
  overall: MetricsResult;
  groups: MetricsResult;
  groupBy: StatsGroupBy;
  updatedAt: number;
}

const nowSeconds = (): number => Date.now() / 1000;

class StatsPanel {
  private stats: JobStats | null = null;
  private updatedAt = 0;
  private error: string | null = null;
  private stale = false;
  private disposed = false;
  private readonly throttle = new Throttle(LIVE_INTERVAL_MS, () => this.load());
  private readonly loader = new SingleFlight(() => this.loadOnce());
  /** The range asked for; a live one slides to now at each load. */
  private range: ShownRange = presetRange('1h', nowSeconds());
  private groupBy: StatsGroupBy = 'queue';
  private metrics: ShownMetrics | null = null;
  private metricsStale = false;
  private readonly metricsThrottle = new Throttle(METRICS_INTERVAL_MS, () => this.loadMetrics());
  private readonly metricsLoader = new SingleFlight(() => this.loadMetricsOnce());
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly client: BackendClient,
    private readonly jobs: JobsTimeFilter,
    private readonly panel: vscode.WebviewPanel,
  ) {
    loadWebview(this.panel.webview, context.extensionUri, 'stats', vscode.l10n.t('NAQ Job Analytics'));
    this.disposables.push(
      onValidMessage(this.panel.webview, StatsToExtension, 'stats', (message) => this.onMessage(message)),
      client.onNotification(IndexChangedNotification.type, () => {
        if (this.panel.visible) this.throttle.trigger();
        else this.stale = true;
      }),
      client.onNotification(MetricsChangedNotification.type, (changed) => {
        // A live range ends now: new events always land in it. A fixed one re-reads only what changed in it.
        if (!this.range.live && (changed.to < this.range.from || changed.from >= this.range.to)) return;
        if (this.panel.visible) this.metricsThrottle.trigger();
        else this.metricsStale = true;
      }),
      client.onDidChangeState((state) => {
        if (state.phase !== 'connected') return;
        if (this.error !== null) void this.load();
        void this.loadMetrics();
      }),
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) return;
        if (this.stale) void this.load();
        if (this.metricsStale) void this.loadMetrics();
      }),
      jobs.onDidChangeTimeFilter((range) => this.send({ type: 'jobsFilter', body: { from: range?.from ?? null, to: range?.to ?? null } })),
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

  private loadMetrics(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return this.metricsLoader.run();
  }

  /** The charts' series at the range's step, and the table's totals in one coarse point per group. */
  private async loadMetricsOnce(): Promise<void> {
    this.metricsStale = false;
    const range = slide(this.range, nowSeconds());
    this.range = range;
    const groupBy = this.groupBy;
    const { from, to, step } = range;
    const whole = Math.max(MINUTE, Math.ceil((to - from) / MINUTE) * MINUTE);
    try {
      const [overall, groups] = await Promise.all([
        this.client.request(MetricsQueryRequest.type, { from, to, step, groupBy: 'none' }),
        this.client.request(MetricsQueryRequest.type, { from, to, step: whole, groupBy }),
      ]);
      // A newer choice was made meanwhile: its own load follows and shows it.
      if (this.range !== range || this.groupBy !== groupBy) return;
      this.metrics = { range, overall, groups, groupBy, updatedAt: Date.now() };
      this.send({ type: 'metrics', body: this.metrics });
    } catch (error) {
      const message = errorText(error);
      webviewLog().warn(`stats: metrics: ${message}`);
      this.send({ type: 'metricsError', body: { range, message } });
    }
  }

  private async onMessage(message: StatsMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        if (this.stats) this.send({ type: 'stats', body: { stats: this.stats, updatedAt: this.updatedAt } });
        if (this.loader.busy) this.send({ type: 'loading', body: {} });
        else if (this.error !== null) this.send({ type: 'error', body: { message: this.error } });
        if (this.metrics) this.send({ type: 'metrics', body: this.metrics });
        const filter = this.jobs.timeFilter;
        this.send({ type: 'jobsFilter', body: { from: filter?.from ?? null, to: filter?.to ?? null } });
        if (this.stale) void this.load();
        return;
      }
      case 'refresh':
        void this.loadMetrics();
        return this.load();
      case 'range': {
        const { preset, from, to } = message.body;
        try {
          if (preset === 'custom') {
            if (from === null || to === null) throw new TypeError('range: a custom range needs "from" and "to"');
            this.range = customRange(from, to, nowSeconds());
          } else {
            this.range = presetRange(preset, nowSeconds());
          }
        } catch (error) {
          this.send({ type: 'metricsError', body: { range: this.range, message: errorText(error) } });
          return;
        }
        return this.loadMetrics();
      }
      case 'groupBy':
        this.groupBy = message.body.groupBy;
        return this.loadMetrics();
      case 'filterJobs': {
        const { from, to } = message.body;
        if (to <= from) return;
        await vscode.commands.executeCommand('naq.filterJobsByTime', { from, to });
        return;
      }
      case 'clearJobsFilter':
        await vscode.commands.executeCommand('naq.clearTimeFilter');
        return;
      case 'exportCsv':
        return this.exportCsv();
      case 'scriptError':
        return;
    }
  }

  private async exportCsv(): Promise<void> {
    const shown = this.metrics;
    if (!shown) {
      void vscode.window.showInformationMessage(vscode.l10n.t('NAQ: there is no series to export yet.'));
      return;
    }
    const stamp = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16).replace(/[-:]/g, '');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `naq-metrics-${stamp(shown.overall.from)}-${stamp(shown.overall.to)}.csv`;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('NAQ: Export the Series as CSV'),
      saveLabel: vscode.l10n.t('Export'),
      filters: { CSV: ['csv'] },
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(metricsCsv(shown.overall)));
    void vscode.window.setStatusBarMessage(`$(check) NAQ: saved ${shown.overall.times.length} points to ${vscode.workspace.asRelativePath(target)}`, 5_000);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.throttle.cancel();
    this.metricsThrottle.cancel();
    for (const d of this.disposables) d.dispose();
    if (current === this) current = undefined;
  }
}
