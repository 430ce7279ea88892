/**
 * The arithmetic of a virtualized list with measured row heights: where each row starts, which rows
 * a viewport shows, where to scroll to reveal a row. Pure: unit-tested in node.
 */

/** Row heights (estimated until measured) and their running offsets, recomputed lazily. */
export class HeightIndex {
  private readonly heights: Float64Array;
  /** offsets[i] = top of row i; offsets[count] = total height. Valid up to `validTo`. */
  private readonly offsets: Float64Array;
  private validTo = 0;

  constructor(heights: ArrayLike<number>) {
    // A plain loop: `Float64Array.from` with a map function costs ten times more, at every frame of a tail.
    this.heights = new Float64Array(heights.length);
    for (let i = 0; i < heights.length; i++) {
      const h = heights[i]!;
      this.heights[i] = Number.isFinite(h) && h > 0 ? h : 1;
    }
    this.offsets = new Float64Array(this.heights.length + 1);
  }

  static uniform(count: number, height: number): HeightIndex {
    return new HeightIndex(new Float64Array(count).fill(height));
  }

  get count(): number {
    return this.heights.length;
  }

  height(index: number): number {
    return this.heights[index] ?? 0;
  }

  /** Sets a measured height; true if it changed. */
  set(index: number, height: number): boolean {
    if (index < 0 || index >= this.heights.length || !Number.isFinite(height) || height <= 0) return false;
    if (this.heights[index] === height) return false;
    this.heights[index] = height;
    if (index < this.validTo) this.validTo = index;
    return true;
  }

  /** Top of row `index` (index = count gives the total height). */
  offset(index: number): number {
    const i = Math.max(0, Math.min(index, this.heights.length));
    if (i > this.validTo) {
      for (let k = this.validTo; k < i; k++) this.offsets[k + 1] = this.offsets[k]! + this.heights[k]!;
      this.validTo = i;
    }
    return this.offsets[i]!;
  }

  total(): number {
    return this.offset(this.heights.length);
  }

  /** The row covering pixel `y` (clamped to the rows there are); -1 when there are none. */
  indexAt(y: number): number {
    const n = this.heights.length;
    if (n === 0) return -1;
    this.offset(n);
    if (y <= 0) return 0;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

export interface Range {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/** Rows to render for a viewport, with `overscan` pixels of rows above and below. */
export function visibleRange(index: HeightIndex, scrollTop: number, viewportHeight: number, overscan: number): Range {
  if (index.count === 0) return { start: 0, end: 0 };
  const start = index.indexAt(Math.max(0, scrollTop - overscan));
  const last = index.indexAt(scrollTop + Math.max(viewportHeight, 0) + overscan);
  return { start, end: Math.min(index.count, last + 1) };
}

/** The scrollTop that brings row `i` fully into view, moving as little as possible. */
export function revealScrollTop(index: HeightIndex, i: number, scrollTop: number, viewportHeight: number): number {
  if (i < 0 || i >= index.count) return scrollTop;
  const top = index.offset(i);
  const bottom = top + index.height(i);
  if (top < scrollTop) return top;
  // A row taller than the viewport shows its top.
  if (bottom > scrollTop + viewportHeight) return Math.min(top, bottom - viewportHeight);
  return scrollTop;
}

/** Largest valid scrollTop. */
export function maxScrollTop(index: HeightIndex, viewportHeight: number): number {
  return Math.max(0, index.total() - viewportHeight);
}

/** The row a keyboard key moves to from `active`, for lists of `count` rows with `pageRows` per page. */
export function moveActive(key: string, active: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const page = Math.max(1, pageRows - 1);
  let next: number;
  switch (key) {
    case 'ArrowDown':
      next = active + 1;
      break;
    case 'ArrowUp':
      next = active - 1;
      break;
    case 'PageDown':
      next = active + page;
      break;
    case 'PageUp':
      next = active - page;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = count - 1;
      break;
    default:
      return null;
  }
  return Math.max(0, Math.min(count - 1, next));
}
