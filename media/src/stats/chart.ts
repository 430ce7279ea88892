/**
 * One dashboard chart: a uPlot line chart on canvas (its stylesheet is bundled into stats.css; it
 * sets no inline style attributes, only CSSOM properties, which the page's CSP allows), its live
 * legend with the exact values under the cursor, a brush (drag across the plot) that picks a time
 * range, and the same by keyboard:
 *   ←/→ move between points, Home/End go to the first/last, Shift+←/→ (and Shift+Home/End) select
 *   from the point the selection started at, Enter picks the selection (or the point), Escape clears it.
 * The point under the cursor is read out through a live region.
 */
import * as l10n from '@vscode/l10n';
import uPlot from 'uplot';
import { el, uniqueId } from '../lib/dom';
import { formatClock } from '../lib/time';
import { formatValue, pointsRange, wholeSeconds, type ChartData } from './series';
import type { ChartTheme } from './theme';

export const CHART_HEIGHT = 180;
/** Tick steps of a count axis: 1, 2, 5, 10, 20, 50, … */
const COUNT_INCREMENTS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));
/** Charts move their cursors together. */
const SYNC_KEY = 'naq-stats';

export interface ChartOptions {
  /** A range was picked (brushed, or chosen by keyboard): epoch seconds [from, to). */
  onPick(range: { from: number; to: number }): void;
}

/** The time of a point: the date too when the range spans more than a day. */
export function pointTime(chart: Pick<ChartData, 'from' | 'to'>, time: number): string {
  const withDate = chart.to - chart.from > 86_400;
  return formatClock(time, false, withDate).replace(/:\d\d\.\d{3}$/, '');
}

export class Chart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly announcer: HTMLElement;
  private plot: uPlot | undefined;
  private data: ChartData;
  private theme: ChartTheme;
  /** The point the keyboard cursor is on, and where a keyboard selection started. */
  private index: number | null = null;
  private anchor: number | null = null;

  constructor(
    data: ChartData,
    theme: ChartTheme,
    private readonly options: ChartOptions,
  ) {
    this.data = data;
    this.theme = theme;
    const keysId = uniqueId('chart-keys');
    this.plotHost = el('div', {
      class: 'chart-plot',
      attrs: {
        tabindex: 0,
        role: 'group',
        'aria-label': l10n.t('{0} chart', data.title),
        'aria-describedby': keysId,
        'data-chart': data.id,
      },
    });
    this.announcer = el('div', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.element = el(
      'div',
      { class: 'chart-body' },
      this.plotHost,
      el('p', { class: 'visually-hidden', attrs: { id: keysId }, text: l10n.t('Left and Right arrows move between points; Shift with an arrow selects a range; Enter shows the jobs active in it in the Jobs view; Escape clears the selection.') }),
      this.announcer,
    );
    this.plotHost.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Draws into the page (once the element is attached, so that it has a width). */
  draw(): void {
    this.plot?.destroy();
    this.plot = new uPlot(this.optionsFor(this.width()), this.aligned(), this.plotHost);
    this.index = null;
    this.anchor = null;
  }

  /**
   * New values, redrawn in place (the scales and formatters read the current data, so a live range
   * sliding on is only new data); drawn afresh only when the lines themselves changed.
   */
  update(data: ChartData): void {
    const sameLines = data.series.length === this.data.series.length && data.series.every((s, i) => s.label === this.data.series[i]!.label);
    this.data = data;
    if (!sameLines || !this.plot) {
      this.draw();
      return;
    }
    this.plot.setData(this.aligned(), true);
    if (this.index !== null && this.index >= data.times.length) this.index = data.times.length > 0 ? data.times.length - 1 : null;
    if (this.anchor !== null && this.anchor >= data.times.length) this.anchor = null;
    // The cursor and selection stay where they were, without reading the point out again.
    if (this.index !== null) this.showKeyboardCursor(false);
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.plot) this.draw();
  }

  resize(): void {
    this.plot?.setSize({ width: this.width(), height: CHART_HEIGHT });
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  private width(): number {
    return Math.max(240, Math.floor(this.element.clientWidth || this.element.parentElement?.clientWidth || 600));
  }

  private aligned(): uPlot.AlignedData {
    return [this.data.times, ...this.data.series.map((s) => s.values)];
  }

  private optionsFor(width: number): uPlot.Options {
    // `this.data` is read at each draw, not captured: updates bring a new range and values.
    const kind = this.data.kind;
    const theme = this.theme;
    const axis = { stroke: theme.muted, font: theme.font, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 } };
    const yValues = (_u: uPlot, splits: number[]) => splits.map((v) => formatValue(kind, v));
    return {
      width,
      height: CHART_HEIGHT,
      scales: {
        x: { time: true, range: () => [this.data.from, this.data.to] },
        y: { range: (_u, _min, max) => [0, kind === 'fraction' ? Math.max(0.05, Math.min(1, (max ?? 0) * 1.1)) : Math.max(1, (max ?? 0) * 1.1)] },
      },
      series: [
        { label: l10n.t('Time'), value: (_u, v) => (v === null || v === undefined ? '—' : pointTime(this.data, v)) },
        ...this.data.series.map((s) => ({
          label: s.label,
          stroke: theme.series[s.color],
          // One CSS pixel: a hairline where a pixel is a pixel, which a software-rastered canvas (a VM or remote
          // desktop without a GPU) strokes 2.4x faster than 1.5 px (10,000 points in 4 charts: 21 ms, not 50).
          width: 1,
          points: { show: (u: uPlot) => u.data[0].length <= 60, size: 4 },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => formatValue(kind, v),
        })),
      ],
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => pointTime(this.data, v)) },
        // Counts are whole: ticks at whole steps only.
        { ...axis, size: 64, values: yValues, ...(kind === 'count' ? { incrs: COUNT_INCREMENTS } : {}) },
      ],
      cursor: {
        sync: { key: SYNC_KEY },
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
      },
      legend: { live: true },
      hooks: {
        setSelect: [(u) => this.onSelect(u)],
      },
    };
  }

  /** A drag across the plot: its span in time, picked; the selection stays shown. */
  private onSelect(u: uPlot): void {
    if (u.select.width < 2) return;
    const from = u.posToVal(u.select.left, 'x');
    const to = u.posToVal(u.select.left + u.select.width, 'x');
    this.options.onPick(wholeSeconds(Math.max(from, this.data.from), Math.min(to, this.data.to)));
  }

  private onKey(event: KeyboardEvent): void {
    const n = this.data.times.length;
    if (n === 0 || !this.plot) return;
    const at = this.index ?? 0;
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowLeft':
        next = this.index === null ? 0 : Math.max(0, at - 1);
        break;
      case 'ArrowRight':
        next = this.index === null ? 0 : Math.min(n - 1, at + 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'Enter':
        if (this.index === null) return;
        event.preventDefault();
        this.options.onPick(pointsRange(this.data, this.anchor ?? this.index, this.index));
        return;
      case 'Escape':
        if (this.anchor === null) return;
        event.preventDefault();
        this.anchor = null;
        this.plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        this.announce(l10n.t('Selection cleared.'));
        return;
      default:
        return;
    }
    event.preventDefault();
    if (event.shiftKey) this.anchor ??= this.index ?? next;
    else this.anchor = null;
    this.index = next;
    this.showKeyboardCursor();
  }

  private showKeyboardCursor(announce = true): void {
    const plot = this.plot;
    if (!plot || this.index === null) return;
    const chart = this.data;
    const height = plot.bbox.height / uPlot.pxRatio;
    plot.setCursor({ left: plot.valToPos(chart.times[this.index]!, 'x'), top: height / 2 });
    if (this.anchor === null) {
      plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    } else {
      const range = pointsRange(chart, this.anchor, this.index);
      const left = plot.valToPos(range.from, 'x');
      plot.setSelect({ left, top: 0, width: Math.max(1, plot.valToPos(range.to, 'x') - left), height }, false);
    }
    if (!announce) return;
    const time = chart.times[this.index]!;
    const values = chart.series.map((s) => `${s.label} ${formatValue(chart.kind, s.values[this.index!] ?? null)}`).join(', ');
    if (this.anchor === null) {
      this.announce(l10n.t('{0}: {1}.', pointTime(chart, time), values));
      return;
    }
    const range = pointsRange(chart, this.anchor, this.index);
    this.announce(l10n.t('{0}: {1}. Selected {2} to {3}; Enter shows its jobs.', pointTime(chart, time), values, pointTime(chart, range.from), pointTime(chart, range.to)));
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }
}
