/**
 * Time formatting, in one place for the backend, the CLI, the extension host and the webviews. Pure
 * (no Node, no DOM). Timestamps are epoch seconds as floats, as events carry them.
 */

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `2024-05-01T12:00:00.000Z`; a timestamp no date can hold (NaN, out of range) shows as `@<value>`. */
export function isoTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? `@${epochSeconds}` : date.toISOString();
}

/** `HH:MM:SS.mmm`, or `YYYY-MM-DD HH:MM:SS.mmm` with `withDate`; local time unless `utc`; `—` for no time. */
export function formatClock(epochSeconds: number, utc: boolean, withDate = false): string {
  if (!Number.isFinite(epochSeconds)) return '—';
  const date = new Date(Math.round(epochSeconds * 1000));
  if (Number.isNaN(date.getTime())) return '—';
  const [y, mo, d, h, mi, s, ms] = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds()];
  const clock = `${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
  return withDate ? `${y}-${pad(mo)}-${pad(d)} ${clock}` : clock;
}
