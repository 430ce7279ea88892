/**
 * The table equivalent of a chart, for screen readers and for reading exact values: one row per
 * point, one column per line. Folded by default and built only while open (a day holds 288 rows per chart).
 */
import * as l10n from '@vscode/l10n';
import { append, clear, el } from '../lib/dom';
import { pointTime } from './chart';
import { formatValue, type ChartData } from './series';

export class DataTable {
  readonly element: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private data: ChartData;

  constructor(data: ChartData) {
    this.data = data;
    this.body = el('div', { class: 'data-table-scroll' });
    this.element = el('details', { class: 'data-table', attrs: { 'data-table': data.id } }, el('summary', { text: l10n.t('{0} as a table', data.title) }), this.body);
    this.element.addEventListener('toggle', () => this.render());
  }

  update(data: ChartData): void {
    this.data = data;
    this.render();
  }

  private render(): void {
    clear(this.body);
    if (!this.element.open) return;
    const chart = this.data;
    const head = el('tr', {}, el('th', { attrs: { scope: 'col' }, text: l10n.t('Time') }), ...chart.series.map((s) => el('th', { attrs: { scope: 'col' }, text: s.label })));
    const rows = chart.times.map((time, i) =>
      el('tr', {}, el('th', { attrs: { scope: 'row' }, text: pointTime(chart, time) }), ...chart.series.map((s) => el('td', { class: 'num', text: formatValue(chart.kind, s.values[i] ?? null) }))),
    );
    const table = el('table', {}, el('caption', { text: `${chart.title}, ${chart.unit}` }), el('thead', {}, head));
    const tbody = el('tbody');
    append(tbody, ...rows);
    table.appendChild(tbody);
    this.body.appendChild(table);
  }
}
