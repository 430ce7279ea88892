/**
 * The index of the last of the first `count` values of `sorted` (ascending) at or before `at`, looked for from
 * `from` on (`sorted[from]` must be at or before `at`): hits of a text search come in order, often close
 * together, so the search gallops from the last one before it halves.
 */
export function lastAtOrBefore(sorted: ArrayLike<number>, count: number, at: number, from: number): number {
  let low = from;
  let step = 1;
  while (low + step < count && (sorted[low + step] as number) <= at) {
    low += step;
    step *= 2;
  }
  let high = Math.min(low + step, count);
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= at) low = middle;
    else high = middle;
  }
  return low;
}
