/**
 * Which range and step the dashboard asks `metrics/query` for. Pure (no `vscode`): unit-tested in node.
 *
 * The backend keeps minute buckets for the last 24 h and hourly ones for the stream's retention, so a
 * step below an hour only makes sense for a range inside the last 24 h; charts stay readable and
 * quick with a few hundred points, so the step is the smallest "round" one giving at most that many.
 */
import type { ShownRange, StatsRangePreset } from '../webview/messages';

export const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;

/** Points per chart the step aims at, at most. */
export const MAX_POINTS = 300;

/** Round steps, seconds: what an axis can label sensibly. */
export const STEPS: readonly number[] = [60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400];

/** The longest range the dashboard asks for: the stream's default retention of hourly buckets. */
export const MAX_SPAN = 7 * DAY;

const PRESET_SPANS: Record<Exclude<StatsRangePreset, 'custom'>, number> = { '15m': 15 * MINUTE, '1h': HOUR, '24h': DAY, '7d': 7 * DAY };

/** The first minute bucket the backend still keeps at `now` (its ring's horizon). */
export function minuteHorizon(now: number): number {
  return Math.floor(now / MINUTE) * MINUTE - DAY + MINUTE;
}

/** The smallest round step giving at most MAX_POINTS over [from, to); hourly or coarser when `from` is past the minute buckets. */
export function chooseStep(from: number, to: number, now: number): number {
  const span = Math.max(1, to - from);
  const minimum = from < minuteHorizon(now) ? HOUR : MINUTE;
  for (const step of STEPS) if (step >= minimum && span / step <= MAX_POINTS) return step;
  return Math.max(minimum, Math.ceil(span / MAX_POINTS / DAY) * DAY);
}

/**
 * The range of a preset at `now` (epoch seconds): ends at the end of the current minute, live. The
 * 24-hour one starts a minute after the horizon so that it keeps minute buckets while the query runs.
 */
export function presetRange(preset: Exclude<StatsRangePreset, 'custom'>, now: number): ShownRange {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const span = PRESET_SPANS[preset];
  const from = preset === '24h' ? minuteHorizon(now) + MINUTE : to - span;
  return { preset, from, to, step: chooseStep(from, to, now), live: true };
}

export class StatsRangeError extends TypeError {
  override name = 'StatsRangeError';
}

/** A custom range, checked: `to` after `from`, at most MAX_SPAN long; live when it reaches now. */
export function customRange(from: number, to: number, now: number): ShownRange {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new StatsRangeError('range: from and to must be times');
  if (to <= from) throw new StatsRangeError('range: "to" must be after "from"');
  if (to - from > MAX_SPAN) throw new StatsRangeError(`range: at most ${MAX_SPAN / DAY} days long`);
  return { preset: 'custom', from, to, step: chooseStep(from, to, now), live: to >= now };
}

/** The range again at `now`: a live preset slides, anything else stays. */
export function slide(range: ShownRange, now: number): ShownRange {
  return range.live && range.preset !== 'custom' ? presetRange(range.preset, now) : range;
}
