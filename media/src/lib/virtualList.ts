/**
 * A virtualized, keyboard-navigable list (`role="listbox"`): only the rows in view plus an overscan
 * are in the DOM; row heights are estimated, then measured once rendered (a ResizeObserver catches
 * later changes such as an expanded row). The list element keeps the focus and points at the active
 * row with `aria-activedescendant`, so focus is never lost when the active row scrolls out and is
 * removed.
 */
import { HeightIndex, Range, maxScrollTop, moveActive, revealScrollTop, visibleRange } from './virtualWindow';

export type ActivateHow = 'enter' | 'space' | 'click';

export interface VirtualListOptions<T> {
  /** The scrolling element (sized by CSS); the list fills it. */
  host: HTMLElement;
  label: string;
  idPrefix: string;
  key(item: T, index: number): string;
  estimate(item: T, index: number): number;
  /**
   * Rows of one kind all have the same height (a one-line row of fixed height); null for a row that
   * must be measured. Once a row of a kind is measured, the others take its height without being
   * read: reading a new row's height forces a layout of the page in the middle of the frame, which
   * at 1,000 lines a second was most of a tail's frame time. The ResizeObserver still reports a
   * row whose height is not the one recorded, and that row is measured.
   */
  kind?(item: T, index: number): string | null;
  /** A fresh element for the row's content; the list wraps it in the row element. */
  render(item: T, index: number): HTMLElement;
  /** `aria-expanded` for the row, or null when the row does not expand. */
  expanded?(item: T, index: number): boolean | null;
  /** A descriptive label for screen readers; default: the row's text. */
  ariaLabel?(item: T, index: number): string | null;
  onActivate?(index: number, item: T, how: ActivateHow, event: Event): void;
  /** Other keys on the active row; return true when handled. */
  onKey?(event: KeyboardEvent, index: number, item: T): boolean;
  onActiveChange?(index: number): void;
  onScroll?(): void;
  /** Keep showing the end when rows are appended while the end is in view (a tail). */
  followEnd?: boolean;
  /**
   * `setItems` keeps the rows in the DOM whose key and item (the same object) are still there, and
   * only builds the new ones: for lists that mostly grow at the end (a tail at 1,000 lines a second
   * rebuilt every row in view for each frame, and that held the page's thread). The key must then
   * change whenever anything else a row shows does, and keys must keep their order.
   */
  keepRows?: boolean;
  overscan?: number;
}

export class VirtualList<T> {
  private items: readonly T[] = [];
  private keys: string[] = [];
  private heights = HeightIndex.uniform(0, 1);
  /** Whether each row's height in `heights` is a measured one (else an estimate). */
  private known = new Uint8Array(0);
  /** Measured heights by row key, kept across `setItems`. */
  private readonly measured = new Map<string, number>();
  /** The height of each row kind measured (see {@link VirtualListOptions.kind}). */
  private readonly kindHeights = new Map<string, number>();
  private readonly spacer: HTMLDivElement;
  private readonly window: HTMLDivElement;
  private rendered = new Map<number, HTMLElement>();
  /**
   * Rendered rows whose height is not known yet: built since the last measure, or reported resized by
   * the ResizeObserver. Only these are read: reading every drawn row at every frame forced a layout of
   * all of them (a tail at 1,000 lines a second spent most of its frames there).
   */
  private readonly unmeasured = new Set<HTMLElement>();
  /** The item each rendered row shows (the items' array may be the same one, changed in place). */
  private readonly rowItems = new WeakMap<HTMLElement, T>();
  private range: Range = { start: 0, end: 0 };
  private activeIndex = 0;
  private frame = 0;
  private readonly resizeObserver: ResizeObserver;
  private following = true;
  private lastScrollTop = 0;

  constructor(private readonly options: VirtualListOptions<T>) {
    const host = options.host;
    host.classList.add('vlist');
    host.setAttribute('role', 'listbox');
    host.setAttribute('tabindex', '0');
    host.setAttribute('aria-label', options.label);
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.window = document.createElement('div');
    this.window.className = 'vlist-window';
    this.window.setAttribute('role', 'presentation');
    host.replaceChildren(this.spacer, this.window);
    // The host resizing, or a row whose height is not the one recorded (an opened disclosure, a
    // wrapped line): only then is another layout pass needed, and only such rows are measured again.
    this.resizeObserver = new ResizeObserver((entries) => {
      let due = false;
      for (const entry of entries) {
        const target = entry.target as HTMLElement;
        if (target === host) {
          due = true;
          continue;
        }
        const index = Number(target.dataset.index);
        if (this.rendered.get(index) !== target) continue;
        const height = entry.borderBoxSize?.[0]?.blockSize ?? target.offsetHeight;
        if (Math.abs(height - this.heights.height(index)) > 0.5) {
          this.unmeasured.add(target);
          due = true;
        }
      }
      if (due) this.schedule();
    });
    this.resizeObserver.observe(host);
    host.addEventListener('scroll', () => {
      const top = host.scrollTop;
      // Only a move away from the end stops following; rows growing under a fixed scrollTop do not.
      if (top < this.lastScrollTop - 1) this.following = this.atEnd();
      else if (this.atEnd()) this.following = true;
      this.lastScrollTop = top;
      this.schedule();
      options.onScroll?.();
    });
    host.addEventListener('keydown', (event) => this.onKeyDown(event));
    host.addEventListener('click', (event) => this.onClick(event));
  }

  get count(): number {
    return this.items.length;
  }

  get active(): number {
    return this.activeIndex;
  }

  item(index: number): T | undefined {
    return this.items[index];
  }

  keyAt(index: number): string | undefined {
    return this.keys[index];
  }

  indexOfKey(key: string): number {
    return this.keys.indexOf(key);
  }

  /** Key of the row at the top of the viewport (saved so a reload scrolls back there). */
  topKey(): string | null {
    const i = this.heights.indexAt(this.options.host.scrollTop);
    return i < 0 ? null : (this.keys[i] ?? null);
  }

  /**
   * Replaces the rows. The active row and the row at the top of the view are found again by key, so
   * a refresh does not move what the user looks at; at the end of a following list, the end stays in view.
   */
  setItems(items: readonly T[]): void {
    const host = this.options.host;
    const wasAtEnd = this.items.length > 0 && this.atEnd();
    // Scrolled down to the end of a list longer than the view: new rows at the end stay in view.
    const keepEnd = wasAtEnd && host.scrollTop > 0 && items.length > this.items.length;
    const oldActiveKey = this.keys[this.activeIndex];
    const anchorIndex = this.heights.indexAt(host.scrollTop);
    const anchorKey = anchorIndex >= 0 ? this.keys[anchorIndex] : undefined;
    const anchorDelta = anchorIndex >= 0 ? host.scrollTop - this.heights.offset(anchorIndex) : 0;

    const oldKeys = this.keys;
    const oldHeights = this.heights;
    const oldKnown = this.known;
    this.items = items;
    this.keys = items.map((item, i) => this.options.key(item, i));
    // Rows that kept their key at the same distance from their old place (a tail: lines appended,
    // the oldest trimmed) keep their measured height, or their estimate when never measured, without
    // a look-up by key for each of them.
    const shift = keyShift(oldKeys, this.keys);
    const heights = new Float64Array(items.length);
    const known = new Uint8Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const old = i + shift;
      const key = this.keys[i]!;
      const same = old >= 0 && old < oldKeys.length && oldKeys[old] === key;
      if (same && oldKnown[old] === 1) {
        heights[i] = oldHeights.height(old);
        known[i] = 1;
        continue;
      }
      const measured = (same ? undefined : this.measured.get(key)) ?? this.kindHeight(items[i]!, i);
      heights[i] = measured ?? this.options.estimate(items[i]!, i);
      known[i] = measured === undefined ? 0 : 1;
    }
    this.heights = new HeightIndex(heights);
    this.known = known;
    if (this.measured.size > items.length * 2 + 1000) this.pruneMeasured();

    const byKey = oldActiveKey === undefined ? -1 : this.keys.indexOf(oldActiveKey);
    this.activeIndex = byKey >= 0 ? byKey : Math.min(this.activeIndex, Math.max(0, items.length - 1));
    if (this.options.keepRows) this.keepRendered(oldKeys, shift);
    else this.dropRendered();
    this.spacer.style.height = `${this.heights.total()}px`;
    if ((this.options.followEnd && (wasAtEnd || this.following)) || keepEnd) {
      this.scrollTo(maxScrollTop(this.heights, host.clientHeight));
    } else if (anchorKey !== undefined) {
      const newAnchor = this.keys.indexOf(anchorKey);
      if (newAnchor >= 0) this.scrollTo(this.heights.offset(newAnchor) + anchorDelta);
    }
    this.renderNow();
  }

  /** Re-renders one row (its content changed, e.g. expanded). */
  invalidate(index: number): void {
    const row = this.rendered.get(index);
    if (row) {
      this.removeRow(row);
      this.rendered.delete(index);
    }
    this.renderNow();
  }

  /** Re-renders every row in view (a display option changed). */
  invalidateAll(): void {
    this.dropRendered();
    this.renderNow();
  }

  setActive(index: number, reveal = true): void {
    if (this.items.length === 0) return;
    const next = Math.max(0, Math.min(this.items.length - 1, index));
    const previous = this.rendered.get(this.activeIndex);
    if (previous) this.markActive(previous, false);
    this.activeIndex = next;
    const row = this.rendered.get(next);
    if (row) this.markActive(row, true);
    if (reveal) this.reveal(next);
    this.updateActiveDescendant();
    this.options.onActiveChange?.(next);
  }

  /** Scrolls so that row `index` is in view; `top` puts it at the top. */
  reveal(index: number, align: 'nearest' | 'top' = 'nearest'): void {
    const host = this.options.host;
    const target = align === 'top' ? this.heights.offset(index) : revealScrollTop(this.heights, index, host.scrollTop, host.clientHeight);
    if (target !== host.scrollTop) this.scrollTo(target);
    this.renderNow();
  }

  scrollToEnd(): void {
    this.following = true;
    this.scrollTo(maxScrollTop(this.heights, this.options.host.clientHeight));
    this.renderNow();
  }

  focus(): void {
    this.options.host.focus({ preventScroll: true });
  }

  /** Rows currently in the DOM (for tests and measurements). */
  renderedCount(): number {
    return this.rendered.size;
  }

  // ---- rendering ----

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.render();
  }

  private render(): void {
    // Measuring can change heights and so the range: settle in a few passes.
    for (let pass = 0; pass < 4; pass++) {
      this.place();
      if (!this.measure()) break;
    }
    this.updateActiveDescendant();
  }

  /** Puts the rows of the current range in the DOM, reusing those already there. */
  private place(): void {
    const host = this.options.host;
    const range = visibleRange(this.heights, host.scrollTop, host.clientHeight, this.options.overscan ?? 400);
    const old = this.range;
    const keep = (i: number) => i >= range.start && i < range.end;
    for (const [i, row] of this.rendered) {
      if (!keep(i)) {
        this.removeRow(row);
        this.rendered.delete(i);
      }
    }
    const overlap = range.start < old.end && old.start < range.end && this.rendered.size > 0;
    if (!overlap) {
      const rows: HTMLElement[] = [];
      for (let i = range.start; i < range.end; i++) rows.push(this.rowFor(i));
      this.window.replaceChildren(...rows);
    } else {
      // Rows before the first kept one, then any gaps and rows after, in order.
      let anchor: HTMLElement | null = null;
      for (let i = range.start; i < range.end; i++) {
        const existing = this.rendered.get(i);
        if (existing) {
          anchor = existing;
          continue;
        }
        const row = this.rowFor(i);
        if (anchor) anchor.after(row);
        else this.window.prepend(row);
        anchor = row;
      }
    }
    this.range = range;
    this.window.style.transform = `translateY(${this.heights.offset(range.start)}px)`;
  }

  private rowFor(index: number): HTMLElement {
    const existing = this.rendered.get(index);
    if (existing) return existing;
    const item = this.items[index]!;
    const row = document.createElement('div');
    row.className = 'vrow';
    row.id = `${this.options.idPrefix}-${index}`;
    row.setAttribute('role', 'option');
    row.setAttribute('aria-posinset', String(index + 1));
    row.setAttribute('aria-setsize', String(this.items.length));
    row.dataset.index = String(index);
    const expanded = this.options.expanded?.(item, index) ?? null;
    if (expanded !== null) row.setAttribute('aria-expanded', String(expanded));
    const label = this.options.ariaLabel?.(item, index);
    if (label) row.setAttribute('aria-label', label);
    row.appendChild(this.options.render(item, index));
    this.rowItems.set(row, item);
    this.markActive(row, index === this.activeIndex);
    this.rendered.set(index, row);
    const kindHeight = this.kindHeight(item, index);
    if (kindHeight === undefined || this.heights.height(index) !== kindHeight) this.unmeasured.add(row);
    this.resizeObserver.observe(row);
    return row;
  }

  private removeRow(row: HTMLElement): void {
    this.resizeObserver.unobserve(row);
    this.unmeasured.delete(row);
    row.remove();
  }

  /** Reads the heights of the rows not measured yet; true if any changed (the layout must be redone). */
  private measure(): boolean {
    if (this.unmeasured.size === 0) return false;
    const host = this.options.host;
    const anchor = this.heights.indexAt(host.scrollTop);
    const anchorDelta = anchor >= 0 ? host.scrollTop - this.heights.offset(anchor) : 0;
    let changed = false;
    let changedAbove = false;
    for (const row of this.unmeasured) {
      const i = Number(row.dataset.index);
      const h = row.offsetHeight;
      // Not laid out (a hidden host): measured when it shows, which the ResizeObserver reports.
      if (h <= 0) continue;
      this.unmeasured.delete(row);
      this.measured.set(this.keys[i]!, h);
      this.known[i] = 1;
      const rows = [i];
      const kind = this.options.kind?.(this.items[i]!, i);
      if (kind && this.kindHeights.get(kind) !== h) {
        this.kindHeights.set(kind, h);
        rows.push(...this.rowsOfKind(kind));
      }
      for (const k of rows) {
        if (this.heights.set(k, h)) {
          changed = true;
          if (k < anchor) changedAbove = true;
        }
      }
    }
    if (!changed) return false;
    this.spacer.style.height = `${this.heights.total()}px`;
    if (this.options.followEnd && this.following) this.scrollTo(maxScrollTop(this.heights, host.clientHeight));
    else if (changedAbove && anchor >= 0) this.scrollTo(this.heights.offset(anchor) + anchorDelta);
    return true;
  }

  /**
   * Every row of `kind`, its height now known: once, when the kind's height is first measured or
   * changes (a font size), rather than looking up the kind of every row at each frame.
   */
  private rowsOfKind(kind: string): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.items.length; i++) {
      if (this.options.kind?.(this.items[i]!, i) !== kind) continue;
      this.known[i] = 1;
      found.push(i);
    }
    return found;
  }

  private kindHeight(item: T, index: number): number | undefined {
    const kind = this.options.kind?.(item, index);
    return kind ? this.kindHeights.get(kind) : undefined;
  }

  private scrollTo(top: number): void {
    const host = this.options.host;
    const clamped = Math.max(0, Math.min(top, maxScrollTop(this.heights, host.clientHeight)));
    host.scrollTop = clamped;
    this.lastScrollTop = host.scrollTop;
  }

  private atEnd(): boolean {
    const host = this.options.host;
    return host.scrollTop + host.clientHeight >= this.heights.total() - 4;
  }

  private dropRendered(): void {
    for (const row of this.rendered.values()) this.resizeObserver.unobserve(row);
    this.unmeasured.clear();
    this.rendered.clear();
    this.window.replaceChildren();
    this.range = { start: 0, end: 0 };
  }

  /**
   * Moves the rendered rows still in the items to their new indices and drops the others; all of
   * them when the kept ones would be out of order (the DOM holds them in index order).
   */
  private keepRendered(oldKeys: readonly string[], shift: number): void {
    if (this.rendered.size === 0) return;
    // A row is looked for where the shift puts it, and by key among all rows only when it is not there.
    let byKey: Map<string, number> | undefined;
    const indexOf = (key: string, old: number): number | undefined => {
      if (this.keys[old - shift] === key) return old - shift;
      if (!byKey) {
        byKey = new Map();
        this.keys.forEach((k, i) => byKey!.set(k, i));
      }
      return byKey.get(key);
    };
    const kept = new Map<number, HTMLElement>();
    let last = -1;
    for (const old of [...this.rendered.keys()].sort((a, b) => a - b)) {
      const row = this.rendered.get(old)!;
      const i = indexOf(oldKeys[old]!, old);
      if (i === undefined || this.items[i] !== this.rowItems.get(row)) {
        this.removeRow(row);
        continue;
      }
      if (i < last) {
        this.dropRendered();
        return;
      }
      last = i;
      kept.set(i, row);
    }
    for (const [i, row] of kept) {
      row.id = `${this.options.idPrefix}-${i}`;
      row.dataset.index = String(i);
      row.setAttribute('aria-posinset', String(i + 1));
      row.setAttribute('aria-setsize', String(this.items.length));
      this.markActive(row, i === this.activeIndex);
    }
    this.rendered = kept;
    const indices = [...kept.keys()];
    this.range = indices.length > 0 ? { start: indices[0]!, end: indices[indices.length - 1]! + 1 } : { start: 0, end: 0 };
  }

  private pruneMeasured(): void {
    const live = new Set(this.keys);
    for (const key of this.measured.keys()) if (!live.has(key)) this.measured.delete(key);
  }

  private markActive(row: HTMLElement, active: boolean): void {
    row.classList.toggle('active', active);
    row.setAttribute('aria-selected', String(active));
  }

  private updateActiveDescendant(): void {
    const row = this.rendered.get(this.activeIndex);
    if (row) this.options.host.setAttribute('aria-activedescendant', row.id);
    else this.options.host.removeAttribute('aria-activedescendant');
  }

  // ---- input ----

  private pageRows(): number {
    const host = this.options.host;
    const first = this.heights.indexAt(host.scrollTop);
    const last = this.heights.indexAt(host.scrollTop + host.clientHeight);
    return Math.max(1, last - first);
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.target !== this.options.host) {
      // Keys inside a row's own controls (a JSON tree's disclosures) are theirs; Escape returns to the list.
      if (event.key === 'Escape') {
        event.preventDefault();
        this.focus();
      }
      return;
    }
    if (this.items.length === 0) return;
    if (event.altKey || event.metaKey) return;
    const next = event.ctrlKey ? null : moveActive(event.key, this.activeIndex, this.items.length, this.pageRows());
    if (next !== null) {
      event.preventDefault();
      this.setActive(next);
      return;
    }
    const item = this.items[this.activeIndex]!;
    if (!event.ctrlKey && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      this.reveal(this.activeIndex);
      this.options.onActivate?.(this.activeIndex, item, event.key === 'Enter' ? 'enter' : 'space', event);
      return;
    }
    if (this.options.onKey?.(event, this.activeIndex, item)) event.preventDefault();
  }

  private onClick(event: MouseEvent): void {
    const target = event.target as Element | null;
    const row = target?.closest<HTMLElement>('.vrow');
    if (!row || !this.options.host.contains(row)) return;
    const index = Number(row.dataset.index);
    if (!Number.isInteger(index) || index < 0 || index >= this.items.length) return;
    this.setActive(index, false);
    // Buttons in a row do their own thing; the list keeps the focus so the keys go on working.
    if (target?.closest('button')) {
      this.focus();
      return;
    }
    // Disclosures, links, inputs and text blocks in a row keep their own behaviour (and focus).
    if (target?.closest('summary, a, input, pre, .no-activate')) return;
    // A click that ends a text selection is not an activation.
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && row.contains(selection.anchorNode)) return;
    this.focus();
    this.options.onActivate?.(index, this.items[index]!, 'click', event);
  }
}

/**
 * How far the rows moved between two key lists (old index - new index), found from the first few new
 * keys; 0 when none of them was there before.
 */
function keyShift(oldKeys: readonly string[], keys: readonly string[]): number {
  // The first row may have a new key (a tail's new first line shows its date): look a little further.
  for (let j = 0; j < Math.min(keys.length, 3); j++) {
    const old = oldKeys.indexOf(keys[j]!);
    if (old >= 0) return old - j;
  }
  return 0;
}
