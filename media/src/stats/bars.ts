/** The numbers behind the stats page's bar charts and cards. Pure: unit-tested in node. */
import type { JobStats } from '../../../server/src/protocol/protocol';

export interface Bar {
  label: string;
  value: number;
  /** value / largest value, 0..1: the bar's length. */
  fraction: number;
  /** value / sum of values, 0..1. */
  share: number;
}

/** Bars sorted by value (largest first, ties by label); `limit` keeps the first ones. */
export function toBars(usage: Record<string, number>, limit = Infinity): { bars: Bar[]; hidden: number; total: number } {
  const entries = Object.entries(usage).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v > 0);
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = entries.reduce((sum, [, v]) => sum + v, 0);
  const max = entries.length > 0 ? entries[0]![1] : 0;
  const shown = entries.slice(0, limit);
  return {
    bars: shown.map(([label, value]) => ({ label, value, fraction: max > 0 ? value / max : 0, share: total > 0 ? value / total : 0 })),
    hidden: entries.length - shown.length,
    total,
  };
}

export interface Outcome {
  completed: number;
  failed: number;
  /** Jobs running now: started, no outcome yet (the trees' running count). */
  other: number;
  /** failed / (completed + failed), null before any outcome. */
  failureRate: number | null;
}

export function outcomes(stats: Pick<JobStats, 'jobsRunning' | 'jobsCompleted' | 'jobsFailed'>): Outcome {
  const finished = stats.jobsCompleted + stats.jobsFailed;
  return {
    completed: stats.jobsCompleted,
    failed: stats.jobsFailed,
    other: stats.jobsRunning,
    failureRate: finished > 0 ? stats.jobsFailed / finished : null,
  };
}

export function percent(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  const p = fraction * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}
