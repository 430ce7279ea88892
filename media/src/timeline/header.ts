/** The header of the timeline page: title, status and source badges, and the job's facts. */
import * as l10n from '@vscode/l10n';
import type { ShownTimeline } from '../../../client/src/webview/messages';
import { append, clear, el } from '../lib/dom';
import { formatDuration, formatEventTime, fullTimestamp } from '../lib/time';
import { jobTimes, type JobTimes } from './attempts';
import type { TimelineModel } from './model';

export interface HeaderParts {
  title: HTMLElement;
  statusBadge: HTMLElement;
  sourceBadge: HTMLElement;
  updated: HTMLElement;
  facts: HTMLElement;
}

export function createHeaderParts(): HeaderParts {
  return {
    title: el('h1', { class: 'title' }),
    statusBadge: el('span', { class: 'badge' }),
    sourceBadge: el('span', { class: 'badge badge-muted', attrs: { hidden: true } }),
    updated: el('span', { class: 'muted small' }),
    facts: el('dl', { class: 'facts' }),
  };
}

export function showTitle(parts: HeaderParts, jobId: string): void {
  parts.title.textContent = l10n.t('Job {0}', jobId);
  document.title = l10n.t('Job {0}', jobId);
}

/** Draws the header; `nowMs` is the time a running attempt's run time counts up to. */
export function renderHeader(parts: HeaderParts, model: TimelineModel, t: ShownTimeline, updatedAt: number, nowMs: number): void {
  showTitle(parts, t.jobId);
  const status = t.job?.status ?? null;
  parts.statusBadge.textContent = status ?? l10n.t('not indexed');
  parts.statusBadge.className = `badge status-${status ?? 'unknown'}`;
  parts.sourceBadge.hidden = t.source !== 'consumer';
  parts.sourceBadge.textContent = l10n.t('index building');
  parts.sourceBadge.title = l10n.t('The index is still being built: these events were read with a filtered consumer.');
  parts.updated.textContent = l10n.t('Updated {0}', new Date(updatedAt).toLocaleTimeString());

  const events = t.events;
  const queues = distinct(events.map((e) => e.queue_name));
  const workers = distinct(events.map((e) => e.worker_id));
  const times = jobTimes(model.grouping, events, nowMs);
  const facts = parts.facts;
  clear(facts);
  const fact = (label: string, value: string, tooltip?: string) => {
    const dd = el('dd', { text: value });
    if (tooltip) dd.title = tooltip;
    append(facts, el('div', { class: 'fact' }, el('dt', { text: label }), dd));
  };
  fact(l10n.t('Queue'), listText(queues) || (t.job?.queue ?? '—'), queues.join(', '));
  fact(l10n.t('Worker'), listText(workers) || (t.job?.worker ?? '—'), workers.join(', '));
  // With older events not loaded, what is counted from the loaded ones says so.
  const partial = model.olderCount > 0;
  fact(partial ? l10n.t('Attempts (loaded)') : l10n.t('Attempts'), String(model.grouping.attempts.length));
  fact(
    l10n.t('Events'),
    partial ? l10n.t('{0} ({1} loaded)', (events.length + model.olderCount).toLocaleString(), events.length.toLocaleString()) : events.length.toLocaleString(),
  );
  const runTime = times.runMs === null ? '—' : times.running ? l10n.t('{0} (running)', formatDuration(times.runMs)) : formatDuration(times.runMs);
  fact(partial ? l10n.t('Run time (loaded)') : l10n.t('Run time'), runTime, runTimeTooltip(times));
  if (times.spanMs !== null) {
    fact(
      partial ? l10n.t('First to last event (loaded)') : l10n.t('First to last event'),
      formatDuration(times.spanMs),
      l10n.t('Wall-clock time from the first to the last event, waits and retries included'),
    );
  }
  if (events.length > 0) {
    const context = model.timeContext;
    const firstTs = events[0]!.timestamp;
    fact(l10n.t('First event'), formatEventTime(firstTs, { ...context, mode: context.mode === 'relative' ? 'local' : context.mode, withDate: true }), fullTimestamp(firstTs));
  }
}

function runTimeTooltip(times: JobTimes): string {
  if (times.runMs === null) return l10n.t('No attempt and no reported duration');
  const parts = [l10n.t('Time spent running the job: the sum of its attempts')];
  parts.push(times.runMeasured ? l10n.t("each as its outcome event reports it, else measured from the attempt's start to its outcome") : l10n.t('as the workers reported them'));
  if (times.running) parts.push(l10n.t('the running attempt counted up to now'));
  return parts.join('; ');
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

function listText(values: string[]): string {
  if (values.length <= 3) return values.join(', ');
  return `${values.slice(0, 3).join(', ')} +${values.length - 3}`;
}
