/**
 * Pop-ups for failing jobs, when `naq.notifications.failures` is on (it is off by default): at most
 * one every few seconds, failures in between aggregated ("3 jobs failed").
 */
import * as vscode from 'vscode';
import { IndexChangedNotification, type IndexChange } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { failureNotificationsEnabled } from '../config/settings';

type Failure = IndexChange['failed'][number];

export const MIN_INTERVAL_MS = 5_000;

export function failureMessage(failures: readonly Failure[]): string {
  if (failures.length === 1) {
    const { jobId, error } = failures[0]!;
    const why = [error?.type, error?.message].filter((s) => s).join(': ');
    if (!why) return vscode.l10n.t('NAQ: job {0} failed', jobId);
    return vscode.l10n.t('NAQ: job {0} failed — {1}', jobId, why.length > 200 ? `${why.slice(0, 200)}…` : why);
  }
  const ids = failures.slice(0, 3).map((f) => f.jobId);
  return vscode.l10n.t('NAQ: {0} jobs failed ({1})', failures.length, `${ids.join(', ')}${failures.length > 3 ? ', …' : ''}`);
}

export class FailureNotifier implements vscode.Disposable {
  private pending: Failure[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastShown = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly backend: BackendClient,
    private readonly openTimeline: (jobId: string) => unknown,
    private readonly now: () => number = Date.now,
  ) {
    this.subscription = backend.onNotification(IndexChangedNotification.type, (change) => this.onChange(change));
  }

  onChange(change: IndexChange): void {
    // A rebuild reports old failures as new; they are not news.
    if (change.reset || change.failed.length === 0 || !failureNotificationsEnabled()) return;
    const known = new Set(this.pending.map((f) => f.jobId));
    for (const failure of change.failed) {
      if (!known.has(failure.jobId) && this.isNews(failure)) {
        known.add(failure.jobId);
        this.pending.push(failure);
      }
    }
    if (this.pending.length === 0) return;
    if (this.timer) return;
    const wait = Math.max(0, this.lastShown + MIN_INTERVAL_MS - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /**
   * Failures already in the stream when the index build started are history, not news: the build
   * reports them as it reads them.
   */
  private isNews(failure: Failure): boolean {
    const index = this.backend.state.index;
    if (index === undefined) return true;
    const seq = failure.error?.seq;
    if (seq == null) return !index.building;
    return seq > index.targetSequence;
  }

  private flush(): void {
    this.timer = undefined;
    const failures = this.pending;
    this.pending = [];
    if (failures.length === 0) return;
    this.lastShown = this.now();
    void this.show(failures);
  }

  private async show(failures: Failure[]): Promise<void> {
    const open = vscode.l10n.t('Open Timeline');
    const choice = await vscode.window.showWarningMessage(failureMessage(failures), open);
    if (choice !== open) return;
    let jobId = failures[0]!.jobId;
    if (failures.length > 1) {
      const picked = await vscode.window.showQuickPick(
        failures.map((f) => ({ label: f.jobId, description: [f.error?.type, f.error?.message].filter((s) => s).join(': ') })),
        { title: vscode.l10n.t('NAQ: Open the timeline of a failed job') },
      );
      if (!picked) return;
      jobId = picked.label;
    }
    this.openTimeline(jobId);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
