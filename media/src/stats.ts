/**
 * The statistics dashboard page: over a chosen range, charts of throughput by event type, failure
 * rate and run-time and queue-wait percentiles (each with its table equivalent), a per-queue or
 * per-worker table, then the stream's totals. The parts live in ./stats/; this file wires them to
 * the extension's messages. `./lib/l10n` is imported first: it configures the translation bundle
 * before this page or its parts make any text.
 */
import * as l10n from '@vscode/l10n';
import './lib/l10n';
import type { MetricsResult } from '../../server/src/protocol/metrics';
import type { JobStats } from '../../server/src/protocol/protocol';
import type { ShownRange, StatsGroupBy, StatsMessage, StatsViewState, ToStats } from '../../client/src/webview/messages';
import { append, button, clear, el, icon } from './lib/dom';
import { connect, onHostMessage } from './lib/vscode';
import { Chart, pointTime } from './stats/chart';
import { DataTable } from './stats/dataTable';
import { groupTable } from './stats/groupTable';
import { describeRange, RangePicker } from './stats/rangePicker';
import { chartsOf, hasData, type ChartData } from './stats/series';
import { initialState, isStatsState } from './stats/state';
import { readTheme, watchTheme } from './stats/theme';
import { renderTotals } from './stats/totals';

const host = connect<StatsMessage, StatsViewState>(isStatsState);
const state = initialState(host.getState());
// Saved at once, not only on a change: a window reload restores a panel from what its page saved.
host.setState(state);
let stats: JobStats | null = null;

const app = document.getElementById('app')!;
const progress = el('div', { class: 'progress', attrs: { role: 'progressbar', 'aria-label': l10n.t('Loading'), hidden: true } });
const updated = el('span', { class: 'muted small' });
const notice = el('div', { class: 'notice notice-error', attrs: { hidden: true, role: 'alert' } });

const picker = new RangePicker(state.preset, state.custom, (preset, custom) => {
  state.preset = preset;
  if (custom) state.custom = custom;
  host.setState(state);
  askRange();
});
const rangeLabel = el('span', { class: 'muted range-label', attrs: { 'aria-live': 'polite' } });
const metricsNotice = el('div', { class: 'notice notice-error', attrs: { hidden: true, role: 'alert' } });
const filterNotice = el('div', { class: 'notice filter-notice', attrs: { hidden: true, role: 'status' } });
const chartsHost = el('div', { class: 'charts' });
const groupHost = el('div', { class: 'group-host' });
const groupButtons = new Map<StatsGroupBy, HTMLButtonElement>();
const groupToggle = el('div', { class: 'range-buttons', attrs: { role: 'group', 'aria-label': l10n.t('Group the table by') } });
for (const [key, label] of [
  ['queue', l10n.t('Per queue')],
  ['worker', l10n.t('Per worker')],
] as const) {
  const b = el('button', { class: 'button range-button', attrs: { type: 'button', 'aria-pressed': String(key === state.groupBy), 'data-group-by': key }, text: label });
  b.addEventListener('click', () => {
    state.groupBy = key;
    host.setState(state);
    for (const [k, other] of groupButtons) other.setAttribute('aria-pressed', String(k === key));
    host.post({ type: 'groupBy', body: { groupBy: key } });
  });
  groupButtons.set(key, b);
  groupToggle.appendChild(b);
}
const totals = el('div', { class: 'totals' });

append(
  app,
  progress,
  el(
    'header',
    { class: 'header' },
    el(
      'div',
      { class: 'title-row' },
      icon('graph'),
      el('h1', { class: 'title', text: l10n.t('Job analytics') }),
      el('span', { class: 'grow' }),
      updated,
      el(
        'div',
        { class: 'toolbar' },
        button('desktop-download', l10n.t('Export CSV'), () => host.post({ type: 'exportCsv', body: {} }), { title: l10n.t('Save the series shown as CSV') }),
        button('refresh', l10n.t('Refresh'), () => refresh()),
      ),
    ),
  ),
  notice,
  el(
    'main',
    { class: 'stats' },
    el(
      'section',
      { class: 'dashboard', attrs: { 'aria-label': l10n.t('Metrics over time') } },
      el('div', { class: 'range-row' }, picker.element, rangeLabel),
      metricsNotice,
      el('p', { class: 'muted small hint', text: l10n.t('Drag across a chart, or focus it and use Shift with the arrow keys then Enter, to list the jobs active in that range in the Jobs view.') }),
      filterNotice,
      chartsHost,
      el('section', { class: 'chart', attrs: { 'aria-label': l10n.t('Per group') } }, el('div', { class: 'group-title' }, el('h2', { text: l10n.t('By queue or worker') }), groupToggle), groupHost),
    ),
    totals,
  ),
);

interface ShownChart {
  chart: Chart;
  table: DataTable;
  /** Says "Nothing in this range." when the chart has nothing to draw. */
  empty: HTMLElement;
  /** The heading's unit, which names the step (a new range can change it). */
  unit: HTMLElement;
}
const charts = new Map<ChartData['id'], ShownChart>();

function showCharts(result: MetricsResult): void {
  const theme = readTheme();
  for (const data of chartsOf(result)) {
    let shown = charts.get(data.id);
    if (!shown) {
      const chart = new Chart(data, theme, { onPick: (range) => host.post({ type: 'filterJobs', body: range }) });
      const table = new DataTable(data);
      const empty = el('p', { class: 'muted small chart-empty', text: l10n.t('Nothing in this range.') });
      const unit = el('span', { class: 'muted small' });
      chartsHost.appendChild(el('section', { class: 'chart chart-card', attrs: { 'aria-label': data.title } }, el('h2', {}, el('span', { text: data.title }), unit), chart.element, empty, table.element));
      chart.draw();
      shown = { chart, table, empty, unit };
      charts.set(data.id, shown);
    } else {
      shown.chart.update(data);
      shown.table.update(data);
    }
    shown.empty.hidden = hasData(data);
    shown.unit.textContent = ` ${data.unit}`;
  }
}

function showFilter(from: number | null, to: number | null): void {
  clear(filterNotice);
  if (from === null || to === null) {
    filterNotice.hidden = true;
    return;
  }
  const range = { from, to };
  append(
    filterNotice,
    icon('filter'),
    el('span', { text: l10n.t('The Jobs view lists the jobs active from {0} to {1}.', pointTime(range, from), pointTime(range, to)) }),
    button('clear-all', l10n.t('Clear the time filter'), () => host.post({ type: 'clearJobsFilter', body: {} })),
  );
  filterNotice.hidden = false;
}

onHostMessage<ToStats>((message) => {
  switch (message.type) {
    case 'loading':
      progress.hidden = false;
      break;
    case 'error':
      progress.hidden = true;
      clear(notice);
      append(notice, icon('error'), el('span', { text: l10n.t('Could not read the stats: {0}', message.body.message) }), button('refresh', l10n.t('Retry'), () => refresh()));
      notice.hidden = false;
      break;
    case 'stats':
      progress.hidden = true;
      notice.hidden = true;
      stats = message.body.stats;
      updated.textContent = l10n.t('Updated {0}', new Date(message.body.updatedAt).toLocaleTimeString());
      renderStats();
      break;
    case 'metrics': {
      const { range, overall, groups, groupBy } = message.body;
      metricsNotice.hidden = true;
      showRange(range, overall.step);
      showCharts(overall);
      clear(groupHost);
      groupHost.appendChild(groupTable(groups, groupBy));
      break;
    }
    case 'metricsError':
      clear(metricsNotice);
      append(metricsNotice, icon('error'), el('span', { text: l10n.t('Could not read the metrics: {0}', message.body.message) }));
      metricsNotice.hidden = false;
      if (state.preset === 'custom') picker.showProblem(message.body.message);
      break;
    case 'jobsFilter':
      showFilter(message.body.from, message.body.to);
      break;
  }
});

function showRange(range: ShownRange, answeredStep: number): void {
  // A live region: set only when it says something new, not at every live update.
  const text = l10n.t('Showing {0}', describeRange(range, answeredStep));
  if (rangeLabel.textContent !== text) rangeLabel.textContent = text;
}

function renderStats(): void {
  if (!stats) return;
  renderTotals(totals, stats, state.showAll, (which) => {
    state.showAll[which] = !state.showAll[which];
    host.setState(state);
    renderStats();
  });
}

function askRange(): void {
  const custom = state.preset === 'custom' ? state.custom : null;
  host.post({ type: 'range', body: { preset: custom ? 'custom' : state.preset === 'custom' ? '1h' : state.preset, from: custom?.from ?? null, to: custom?.to ?? null } });
}

function refresh(): void {
  progress.hidden = false;
  host.post({ type: 'refresh', body: {} });
}

watchTheme(() => {
  const theme = readTheme();
  for (const { chart } of charts.values()) chart.setTheme(theme);
});
new ResizeObserver(() => {
  for (const { chart } of charts.values()) chart.resize();
}).observe(chartsHost);

host.post({ type: 'ready', body: {} });
host.post({ type: 'groupBy', body: { groupBy: state.groupBy } });
askRange();
