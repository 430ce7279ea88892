/**
 * Small formatting helpers shared by the views, the status bar and the commands. Pure (no `vscode`
 * import): it translates with @vscode/l10n (see util/l10n.ts).
 */
import * as l10n from '@vscode/l10n';
import { formatClock } from '../../../server/src/shared/time';

const counts = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return counts.format(value);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 d ago"; `seconds` is epoch seconds. */
export function formatAge(seconds: number, now = Date.now()): string {
  const age = Math.max(0, now / 1000 - seconds);
  if (age < 2) return l10n.t('just now');
  if (age < 60) return l10n.t('{0} s ago', Math.floor(age));
  if (age < 3600) return l10n.t('{0} min ago', Math.floor(age / 60));
  if (age < 86_400) return l10n.t('{0} h ago', Math.floor(age / 3600));
  return l10n.t('{0} d ago', Math.floor(age / 86_400));
}

/** Epoch seconds as a local date and time with milliseconds, as the webviews show it. */
export function formatTime(seconds: number): string {
  return formatClock(seconds, false, true);
}

/**
 * A count with its noun, both forms translated by the caller: `one` is the whole phrase for 1
 * (`l10n.t('1 job')`), `many` makes it from the formatted count (`(n) => l10n.t('{0} jobs', n)`).
 */
export function counted(count: number, one: string, many: (count: string) => string): string {
  return count === 1 ? one : many(formatCount(count));
}

/** An error as one line for a message. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A short random job id: `job-` and 6 hex digits. */
export function generatedJobId(): string {
  return `job-${Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0')}`;
}
