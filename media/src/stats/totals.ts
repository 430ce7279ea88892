/**
 * The stream's totals as the seed's analytics dashboard showed them (`job_analytics_dashboard`):
 * started, completed and failed counts, average duration, worker and queue usage as bar charts drawn
 * with HTML and CSS.
 */
import * as l10n from '@vscode/l10n';
import type { JobStats } from '../../../server/src/protocol/protocol';
import type { StatsViewState } from '../../../client/src/webview/messages';
import { append, button, clear, el } from '../lib/dom';
import { formatDuration } from '../lib/time';
import { moveActive } from '../lib/virtualWindow';
import { outcomes, percent, toBars } from './bars';

const TOP = 20;

/** The stream's totals into `content`: cards, the outcome bar, the worker and queue usage bars. */
export function renderTotals(content: HTMLElement, s: JobStats, showAll: StatsViewState['showAll'], toggleShowAll: (which: 'workers' | 'queues') => void): void {
  const o = outcomes(s);
  clear(content);

  const cards = el('section', { class: 'cards', attrs: { 'aria-label': l10n.t('Totals') } });
  const card = (label: string, value: string, tone: string | null, hint?: string) => {
    const node = el('div', { class: ['card', tone] }, el('div', { class: 'card-value', text: value }), el('div', { class: 'card-label', text: label }));
    if (hint) node.title = hint;
    cards.appendChild(node);
  };
  card(l10n.t('Started'), s.jobsStarted.toLocaleString(), 'tone-start', l10n.t('jobs that started at least one attempt'));
  card(l10n.t('Running'), s.jobsRunning.toLocaleString(), 'tone-start', l10n.t('jobs started with no outcome yet'));
  card(l10n.t('Completed'), s.jobsCompleted.toLocaleString(), 'tone-success', l10n.t('jobs whose status is completed'));
  card(l10n.t('Failed'), s.jobsFailed.toLocaleString(), s.jobsFailed > 0 ? 'tone-error' : null, l10n.t('jobs whose status is failed'));
  card(l10n.t('Failure rate'), percent(o.failureRate), o.failureRate ? 'tone-error' : null, l10n.t('failed / (completed + failed)'));
  card(
    l10n.t('Average duration'),
    s.averageDurationMs === null ? '—' : formatDuration(s.averageDurationMs),
    null,
    l10n.t('Total duration of completed jobs / completed jobs that reported one'),
  );
  card(l10n.t('Events seen'), s.eventsSeen.toLocaleString(), null);
  content.appendChild(cards);

  content.appendChild(outcomeChart(o.completed, o.failed, o.other));
  // Counted from every event that names a worker or a queue, not only from started and enqueued ones:
  // a stream can hold a job's outcome without the events before it.
  content.appendChild(usageChart(l10n.t('Worker usage'), l10n.t('jobs per worker, every worker an event of the job names'), s.workerUsage, 'workers', showAll.workers, toggleShowAll));
  content.appendChild(usageChart(l10n.t('Queue usage'), l10n.t("jobs per queue, the queue the job's events name last"), s.queueUsage, 'queues', showAll.queues, toggleShowAll));
}

function outcomeChart(completed: number, failed: number, other: number): HTMLElement {
  const total = completed + failed + other;
  const section = el(
    'section',
    { class: 'chart', attrs: { 'aria-label': l10n.t('Outcomes') } },
    el('h2', {}, el('span', { text: l10n.t('Outcomes') }), el('span', { class: 'muted small', text: ` ${l10n.t('completed and failed events (a retried job counts once per failure)')}` })),
  );
  if (total === 0) {
    section.appendChild(el('p', { class: 'muted', text: l10n.t('No job has started yet.') }));
    return section;
  }
  const bar = el('div', { class: 'stacked', attrs: { role: 'img', 'aria-label': l10n.t('{0} completed, {1} failed, {2} without an outcome yet', completed, failed, other) } });
  const parts: [string, number, string][] = [
    [l10n.t('completed'), completed, 'seg-success'],
    [l10n.t('failed'), failed, 'seg-error'],
    [l10n.t('started, no outcome yet'), other, 'seg-muted'],
  ];
  const legend = el('div', { class: 'legend' });
  for (const [label, value, cls] of parts) {
    if (value > 0) {
      const seg = el('div', { class: ['segment', cls] });
      seg.style.width = `${(value / total) * 100}%`;
      seg.title = `${label}: ${value.toLocaleString()} (${percent(value / total)})`;
      bar.appendChild(seg);
    }
    legend.appendChild(el('span', { class: 'legend-item' }, el('span', { class: ['swatch', cls] }), el('span', { text: `${label} ${value.toLocaleString()} (${percent(value / total)})` })));
  }
  append(section, bar, legend);
  return section;
}

function usageChart(title: string, subtitle: string, usage: Record<string, number>, which: 'workers' | 'queues', all: boolean, toggleShowAll: (which: 'workers' | 'queues') => void): HTMLElement {
  const { bars, hidden, total } = toBars(usage, all ? Infinity : TOP);
  const section = el('section', { class: 'chart', attrs: { 'aria-label': title } }, el('h2', {}, el('span', { text: title }), el('span', { class: 'muted small', text: ` ${subtitle}` })));
  if (bars.length === 0) {
    section.appendChild(el('p', { class: 'muted', text: which === 'workers' ? l10n.t('No event has named a worker yet.') : l10n.t('No event has named a queue yet.') }));
    return section;
  }
  const listNode = el('div', { class: 'bars', attrs: { role: 'list', 'aria-label': `${title}: ${subtitle}` } });
  bars.forEach((bar, i) => {
    const fill = el('div', { class: 'bar-fill' });
    fill.style.width = `${Math.max(bar.fraction * 100, 0.5)}%`;
    const count = bar.value.toLocaleString();
    const spoken = bar.value === 1 ? l10n.t('{0}: {1} job, {2}', bar.label, count, percent(bar.share)) : l10n.t('{0}: {1} jobs, {2}', bar.label, count, percent(bar.share));
    const row = el(
      'div',
      { class: 'bar-row', attrs: { role: 'listitem', tabindex: i === 0 ? 0 : -1, 'aria-label': spoken } },
      el('span', { class: 'bar-label', text: bar.label }),
      el('div', { class: 'bar-track' }, fill),
      el('span', { class: 'bar-value mono', text: `${bar.value.toLocaleString()} · ${percent(bar.share)}` }),
    );
    row.title = l10n.t('{0}: {1} of {2}', bar.label, bar.value.toLocaleString(), total.toLocaleString());
    listNode.appendChild(row);
  });
  rovingFocus(listNode);
  section.appendChild(listNode);
  if (hidden > 0 || all) {
    section.appendChild(
      button(null, all ? l10n.t('Show the top {0}', TOP) : l10n.t('Show all {0}', (bars.length + hidden).toLocaleString()), () => toggleShowAll(which), { class: 'link-button' }),
    );
  }
  return section;
}

/** Arrow keys, Home and End move the focus through a chart's rows; Tab leaves the chart. */
function rovingFocus(container: HTMLElement): void {
  container.addEventListener('keydown', (event) => {
    const rows = Array.from(container.querySelectorAll<HTMLElement>('[role="listitem"]'));
    const current = rows.indexOf(document.activeElement as HTMLElement);
    if (current < 0) return;
    const next = moveActive(event.key, current, rows.length, 10);
    if (next === null) return;
    event.preventDefault();
    rows[current]!.tabIndex = -1;
    rows[next]!.tabIndex = 0;
    rows[next]!.focus();
  });
}
