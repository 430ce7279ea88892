/** Time formatting for the webviews. Pure: unit-tested in node. Timestamps are epoch seconds (floats). */
import * as l10n from '@vscode/l10n';
import { formatClock } from '../../../server/src/shared/time';
import type { TimeMode } from '../../../client/src/webview/messages';

export type { TimeMode };
export { formatClock };

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

const MINUS = '\u2212';

/** The calendar day of a timestamp (local or UTC), as a comparable string. */
export function dayOf(epochSeconds: number, utc: boolean): string {
  return formatClock(epochSeconds, utc, true).slice(0, 10);
}

/** Whether the timestamps fall on more than one calendar day, so clock times need dates. */
export function spansDays(first: number, last: number, utc: boolean): boolean {
  return Number.isFinite(first) && Number.isFinite(last) && dayOf(first, utc) !== dayOf(last, utc);
}

/** An offset from the first event: `+0.000s`, `+12.345s`, `+2m 03.456s`, `+1h 02m 03.456s`, `+2d 03h 04m`. */
export function formatOffset(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? MINUS : '+';
  const totalMs = Math.round(Math.abs(seconds) * 1000);
  const ms = totalMs % 1000;
  const totalS = Math.floor(totalMs / 1000);
  const s = totalS % 60;
  const m = Math.floor(totalS / 60) % 60;
  const h = Math.floor(totalS / 3600) % 24;
  const d = Math.floor(totalS / 86400);
  if (d > 0) return `${sign}${d}d ${pad(h)}h ${pad(m)}m`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m ${pad(s)}.${pad(ms, 3)}s`;
  if (m > 0) return `${sign}${m}m ${pad(s)}.${pad(ms, 3)}s`;
  return `${sign}${s}.${pad(ms, 3)}s`;
}

/** A duration in milliseconds, short: `0.4 ms`, `12 ms`, `1.23 s`, `2m 03s`, `1h 02m`, `3d 04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const negative = ms < 0;
  const a = Math.abs(ms);
  let out: string;
  if (a < 10) out = `${trimZeros(a.toFixed(1))} ms`;
  else if (a < 1000) out = `${Math.round(a)} ms`;
  else if (a < 60_000) out = `${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  else {
    const totalS = Math.round(a / 1000);
    const s = totalS % 60;
    const m = Math.floor(totalS / 60) % 60;
    const h = Math.floor(totalS / 3600) % 24;
    const d = Math.floor(totalS / 86400);
    if (d > 0) out = `${d}d ${pad(h)}h`;
    else if (h > 0) out = `${h}h ${pad(m)}m`;
    else out = `${m}m ${pad(s)}s`;
  }
  return negative ? `${MINUS}${out}` : out;
}

function trimZeros(value: string): string {
  return value.replace(/\.0$/, '');
}

/** The gap since the previous event: `+12 ms`, `+1.23 s`; negative gaps (clock skew) keep their sign. */
export function formatGap(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const text = formatDuration(seconds * 1000);
  return seconds < 0 ? text : `+${text}`;
}

export interface TimeContext {
  mode: TimeMode;
  /** Timestamp of the first event: zero for relative times. */
  origin: number;
  /** Show dates with clock times (the events span days). */
  withDate: boolean;
}

/** The time column of one event in the chosen mode. */
export function formatEventTime(epochSeconds: number, context: TimeContext): string {
  switch (context.mode) {
    case 'relative':
      return formatOffset(epochSeconds - context.origin);
    case 'utc':
      return `${formatClock(epochSeconds, true, context.withDate)}Z`;
    case 'local':
      return formatClock(epochSeconds, false, context.withDate);
  }
}

/** The full timestamp for a tooltip: local and UTC, always with the date. */
export function fullTimestamp(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) return String(epochSeconds);
  return `${formatClock(epochSeconds, false, true)} local · ${formatClock(epochSeconds, true, true)} UTC · ${epochSeconds}`;
}

export function timeModeLabel(mode: TimeMode): string {
  return mode === 'local' ? l10n.t('Local') : mode === 'utc' ? l10n.t('UTC') : l10n.t('Relative');
}
