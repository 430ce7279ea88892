/**
 * The range picker: the last 15 min, 1 h, 24 h or 7 days (live), or a custom range typed as local
 * dates and times. Buttons say which one is on (`aria-pressed`); the custom fields apply on Enter.
 */
import type { ShownRange, StatsRangePreset } from '../../../client/src/webview/messages';
import { el } from '../lib/dom';
import { stepLabel } from './series';
import { pointTime } from './chart';

const PRESET_LABELS: Record<StatsRangePreset, string> = { '15m': '15 min', '1h': '1 h', '24h': '24 h', '7d': '7 d', custom: 'Custom…' };
const PRESET_NAMES: Record<Exclude<StatsRangePreset, 'custom'>, string> = { '15m': 'the last 15 minutes', '1h': 'the last hour', '24h': 'the last 24 hours', '7d': 'the last 7 days' };

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
  const where = range.preset === 'custom' ? `${pointTime(range, range.from)} to ${pointTime(range, range.to)}` : PRESET_NAMES[range.preset];
  return `${where}, a point per ${stepLabel(answeredStep)}${range.live ? ', live' : ''}`;
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
    const group = el('div', { class: 'range-buttons', attrs: { role: 'group', 'aria-label': 'Range' } });
    for (const [key, label] of Object.entries(PRESET_LABELS) as [StatsRangePreset, string][]) {
      const b = el('button', { class: 'button range-button', attrs: { type: 'button', 'aria-pressed': String(key === preset), 'data-range': key, title: key === 'custom' ? 'A range of your choice' : `Show ${PRESET_NAMES[key]}, live` }, text: label });
      b.addEventListener('click', () => this.choose(key));
      this.buttons.set(key, b);
      group.appendChild(b);
    }
    const now = Math.floor(Date.now() / 1000);
    this.fromInput = el('input', { attrs: { type: 'datetime-local', value: toLocalInput(custom?.from ?? now - 3600), 'aria-label': 'From (local time)' } });
    this.toInput = el('input', { attrs: { type: 'datetime-local', value: toLocalInput(custom?.to ?? now), 'aria-label': 'To (local time)' } });
    this.problem = el('span', { class: 'range-problem', attrs: { role: 'alert' } });
    this.custom = el(
      'form',
      { class: 'range-custom', attrs: { hidden: preset !== 'custom', 'aria-label': 'Custom range' } },
      el('label', {}, 'From ', this.fromInput),
      el('label', {}, 'To ', this.toInput),
      el('button', { class: 'button', attrs: { type: 'submit' }, text: 'Apply' }),
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
      this.problem.textContent = 'From and To must both be a date and time.';
      return;
    }
    if (to <= from) {
      this.problem.textContent = 'To must be after From.';
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
