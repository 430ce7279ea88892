/**
 * The range picker: the last 15 min, 1 h, 24 h or 7 days (live), or a custom range typed as local
 * dates and times. Buttons say which one is on (`aria-pressed`); the custom fields apply on Enter.
 */
import * as l10n from '@vscode/l10n';
import type { ShownRange, StatsRangePreset } from '../../../client/src/webview/messages';
import { el } from '../lib/dom';
import { stepLabel } from './series';
import { pointTime } from './chart';

/** The presets in the order their buttons show. */
const PRESETS: readonly StatsRangePreset[] = ['15m', '1h', '24h', '7d', 'custom'];

/** A preset's button text; the texts are made when asked, once the page's translation bundle is configured. */
function presetLabel(preset: StatsRangePreset): string {
  switch (preset) {
    case '15m':
      return l10n.t('15 min');
    case '1h':
      return l10n.t('1 h');
    case '24h':
      return l10n.t('24 h');
    case '7d':
      return l10n.t('7 d');
    case 'custom':
      return l10n.t('Custom…');
  }
}

/** A live preset's range in words. */
function presetName(preset: Exclude<StatsRangePreset, 'custom'>): string {
  switch (preset) {
    case '15m':
      return l10n.t('the last 15 minutes');
    case '1h':
      return l10n.t('the last hour');
    case '24h':
      return l10n.t('the last 24 hours');
    case '7d':
      return l10n.t('the last 7 days');
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Epoch seconds as a `datetime-local` value (local time, to the minute). Pure. */
export function toLocalInput(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as epoch seconds (local time); null when it is not one. Pure. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** "the last hour, 1-min points, live" or "10:00 to 11:00, 1-min points". */
export function describeRange(range: ShownRange, answeredStep: number): string {
  const where = range.preset === 'custom' ? l10n.t('{0} to {1}', pointTime(range, range.from), pointTime(range, range.to)) : presetName(range.preset);
  return range.live ? l10n.t('{0}, a point per {1}, live', where, stepLabel(answeredStep)) : l10n.t('{0}, a point per {1}', where, stepLabel(answeredStep));
}

export class RangePicker {
  readonly element: HTMLElement;
  private readonly buttons = new Map<StatsRangePreset, HTMLButtonElement>();
  private readonly custom: HTMLFormElement;
  private readonly fromInput: HTMLInputElement;
  private readonly toInput: HTMLInputElement;
  private readonly problem: HTMLElement;

  constructor(
    private preset: StatsRangePreset,
    custom: { from: number; to: number } | null,
    private readonly onChange: (preset: StatsRangePreset, custom: { from: number; to: number } | null) => void,
  ) {
    const group = el('div', { class: 'range-buttons', attrs: { role: 'group', 'aria-label': l10n.t('Range') } });
    for (const key of PRESETS) {
      const title = key === 'custom' ? l10n.t('A range of your choice') : l10n.t('Show {0}, live', presetName(key));
      const b = el('button', { class: 'button range-button', attrs: { type: 'button', 'aria-pressed': String(key === preset), 'data-range': key, title }, text: presetLabel(key) });
      b.addEventListener('click', () => this.choose(key));
      this.buttons.set(key, b);
      group.appendChild(b);
    }
    const now = Math.floor(Date.now() / 1000);
    this.fromInput = el('input', { attrs: { type: 'datetime-local', value: toLocalInput(custom?.from ?? now - 3600), 'aria-label': l10n.t('From (local time)') } });
    this.toInput = el('input', { attrs: { type: 'datetime-local', value: toLocalInput(custom?.to ?? now), 'aria-label': l10n.t('To (local time)') } });
    this.problem = el('span', { class: 'range-problem', attrs: { role: 'alert' } });
    this.custom = el(
      'form',
      { class: 'range-custom', attrs: { hidden: preset !== 'custom', 'aria-label': l10n.t('Custom range') } },
      el('label', {}, l10n.t('From'), ' ', this.fromInput),
      el('label', {}, l10n.t('To'), ' ', this.toInput),
      el('button', { class: 'button', attrs: { type: 'submit' }, text: l10n.t('Apply') }),
      this.problem,
    );
    this.custom.addEventListener('submit', (event) => {
      event.preventDefault();
      this.applyCustom();
    });
    this.element = el('div', { class: 'range-picker' }, group, this.custom);
  }

  private choose(preset: StatsRangePreset): void {
    this.preset = preset;
    for (const [key, b] of this.buttons) b.setAttribute('aria-pressed', String(key === preset));
    this.custom.hidden = preset !== 'custom';
    if (preset === 'custom') {
      this.fromInput.focus();
      return;
    }
    this.problem.textContent = '';
    this.onChange(preset, null);
  }

  private applyCustom(): void {
    const from = fromLocalInput(this.fromInput.value);
    const to = fromLocalInput(this.toInput.value);
    if (from === null || to === null) {
      this.problem.textContent = l10n.t('From and To must both be a date and time.');
      return;
    }
    if (to <= from) {
      this.problem.textContent = l10n.t('To must be after From.');
      return;
    }
    this.problem.textContent = '';
    this.onChange('custom', { from, to });
  }

  /** An error of the range from the extension, shown beside the fields. */
  showProblem(message: string): void {
    this.problem.textContent = message;
  }

  get current(): StatsRangePreset {
    return this.preset;
  }
}
