/**
 * The job timeline page: header facts, last error, decode problems, and a virtualized list of the
 * job's events in stream order, grouped into attempts. State (time mode, expanded events, position)
 * is kept with setState so a reload, or a panel hidden and shown, comes back where it was.
 *
 * Everything the page holds lives in one `TimelinePage`; its host, clock and root are given to it.
 */
import * as l10n from '@vscode/l10n';
import { TimeModes, type ShownTimeline, type TimelineMessage, type TimelineViewState, type TimeMode, type ToTimeline } from '../../../client/src/webview/messages';
import { append, button, clear, el, icon } from '../lib/dom';
import { timeModeLabel } from '../lib/time';
import { VirtualList } from '../lib/virtualList';
import type { Host } from '../lib/vscode';
import { isErrorEvent, type TimelineRow } from './attempts';
import { renderErrorBanner, renderProblems } from './banner';
import { renderCall } from './call';
import type { Clock } from './clock';
import { createHeaderParts, renderHeader, showTitle, type HeaderParts } from './header';
import { onListKey, type KeyActions } from './keys';
import { TimelineModel } from './model';
import { estimateRow, plainDetails, renderRow, rowKey, rowLabel, type EventDetailsRenderer, type RowContext } from './rows';

export interface TimelinePageOptions {
  host: Host<TimelineMessage, TimelineViewState>;
  clock: Clock;
  root: HTMLElement;
  details?: EventDetailsRenderer;
}

const COPIED_MS = 1500;
const SAVE_DELAY_MS = 250;
const ANNOUNCE_DELAY_MS = 30;
/** How often a running attempt's run time is drawn again. */
const TICK_MS = 1000;
/** Scrolled this close to the top, the next older page is read. */
const OLDER_MARGIN_PX = 200;

export class TimelinePage {
  private readonly host: TimelinePageOptions['host'];
  private readonly clock: Clock;
  private readonly model: TimelineModel;
  private readonly list: VirtualList<TimelineRow>;
  private readonly header: HeaderParts = createHeaderParts();
  /** The failed job's function and argument reprs, hidden until the extension sends them. */
  private readonly call = el('section', { class: 'call', attrs: { 'aria-label': l10n.t('Call') } });
  private readonly progress = el('div', { class: 'progress', attrs: { role: 'progressbar', 'aria-label': l10n.t('Loading'), hidden: true } });
  private readonly modeButtons = new Map<TimeMode, HTMLButtonElement>();
  private readonly notice = el('div', { class: 'notice', attrs: { hidden: true, role: 'alert' } });
  private readonly errorBanner = el('section', { class: 'error-banner', attrs: { hidden: true, 'aria-label': l10n.t('Last error') } });
  private readonly problems = el('details', { class: 'problems', attrs: { hidden: true } });
  private readonly empty = el('div', { class: 'empty', attrs: { hidden: true } });
  private readonly live = el('div', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
  /** Above the list while older events are not loaded: how many, and a button that reads the next page. */
  private readonly olderBar = el('div', { class: 'older-bar', attrs: { hidden: true } });
  /** An older page was asked for and has not come yet. */
  private olderPending = false;
  /** The panel is the preview the next open replaces; using it keeps it. */
  private preview = false;
  private readonly keepButton = button('pinned', l10n.t('Keep Open'), () => this.keepOpen(), {
    iconOnly: true,
    title: l10n.t('Keep this timeline open: the next job opens in a tab of its own'),
  });
  /** Whether the saved position was applied (after the first timeline arrived). */
  private restored = false;
  private copiedIndex = -1;
  private copiedTimer = 0;
  private saveTimer = 0;
  /** When the shown timeline was read (epoch ms). */
  private updatedAt = 0;
  /** The interval that ticks running attempts, 0 when none runs. */
  private tickTimer = 0;

  constructor(options: TimelinePageOptions) {
    this.host = options.host;
    this.clock = options.clock;
    this.model = new TimelineModel(options.host.getState() ?? { jobId: '', timeMode: 'local', expanded: [], active: 0, anchorKey: null });
    const rows: RowContext = { model: this.model, details: options.details ?? plainDetails, copiedIndex: () => this.copiedIndex, copy: (i) => this.copyEvent(i), now: () => this.clock.now() };
    const listHost = this.layout(options.root);
    this.list = new VirtualList<TimelineRow>({
      host: listHost,
      label: l10n.t('Job events'),
      idPrefix: 'row',
      key: (row) => rowKey(this.model, row),
      estimate: (row) => estimateRow(this.model, row),
      render: (row) => renderRow(rows, row),
      expanded: (row) => (row.kind === 'event' ? this.model.isExpanded(row.index) : null),
      ariaLabel: (row) => rowLabel(this.model, row, this.clock.now()),
      onActivate: (i, row, how) => {
        if (row.kind === 'event') this.toggle(row.index, i);
        else if (how !== 'click') this.announce(rowLabel(this.model, row, this.clock.now()));
      },
      onKey: (event, index, row) => onListKey(this.model, this.keyActions, event, index, row),
      onActiveChange: () => this.saveState(),
      onScroll: () => {
        this.saveStateSoon();
        if (listHost.scrollTop < OLDER_MARGIN_PX) this.loadOlder();
      },
      overscan: 600,
    });
    listHost.setAttribute('aria-describedby', 'keys-help');
    this.showTimeMode();
    if (this.model.view.jobId) showTitle(this.header, this.model.view.jobId);
  }

  private readonly keyActions: KeyActions = {
    copy: (i) => this.copyEvent(i),
    setExpanded: (i, open) => this.setExpanded(i, open),
    setActive: (row) => this.list.setActive(row),
    nextTimeMode: () => this.setTimeMode(TimeModes[(TimeModes.indexOf(this.model.view.timeMode) + 1) % TimeModes.length]!),
    announce: (text) => this.announce(text),
  };

  /** Builds the page's elements under `root`; returns the list's host. */
  private layout(root: HTMLElement): HTMLElement {
    const modeGroup = el('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': l10n.t('Time display') } });
    for (const mode of TimeModes) {
      const b = button(null, timeModeLabel(mode), () => this.setTimeMode(mode), {
        title: mode === 'relative' ? l10n.t('Time since the first event') : mode === 'utc' ? l10n.t('Clock time in UTC') : l10n.t('Clock time in your time zone'),
      });
      this.modeButtons.set(mode, b);
      modeGroup.appendChild(b);
    }
    const toolbar = el(
      'div',
      { class: 'toolbar' },
      modeGroup,
      button('fold-down', l10n.t('Expand failures'), () => this.expandFailures(), { iconOnly: true, title: l10n.t('Expand every failed event') }),
      button('fold-up', l10n.t('Collapse all'), () => this.collapseAll(), { iconOnly: true }),
      button('refresh', l10n.t('Refresh'), () => this.refresh(), { iconOnly: true, title: l10n.t('Read the timeline again') }),
      this.keepButton,
    );
    this.keepButton.hidden = true;
    const listHost = el('div', { class: 'timeline-list' });
    const keysHelp = el('div', {
      class: 'keys-help muted small',
      attrs: { id: 'keys-help' },
      text: l10n.t('↑↓ PgUp PgDn Home End move · Enter expand · C copy JSON · F / Shift+F next / previous failure · T time display'),
    });
    const h = this.header;
    append(
      root,
      this.progress,
      el('header', { class: 'header' }, el('div', { class: 'title-row' }, icon('symbol-event'), h.title, h.statusBadge, h.sourceBadge, el('span', { class: 'grow' }), h.updated, toolbar), h.facts, this.call),
      this.notice,
      this.errorBanner,
      this.problems,
      this.empty,
      this.olderBar,
      listHost,
      keysHelp,
      this.live,
    );
    return listHost;
  }

  /** Tells the extension the page is ready for its timeline. */
  start(): void {
    this.host.post({ type: 'ready', body: {} });
  }

  onMessage(message: ToTimeline): void {
    const view = this.model.view;
    switch (message.type) {
      case 'init':
        if (view.jobId !== message.body.jobId) {
          // A fresh page, or the preview panel gone on to another job: nothing of the old view applies.
          Object.assign(view, { jobId: message.body.jobId, timeMode: message.body.timeMode, expanded: [], active: 0, anchorKey: null });
          this.model.expanded.clear();
        }
        this.setPreview(message.body.preview);
        showTitle(this.header, view.jobId);
        this.showTimeMode();
        this.saveState();
        return;
      case 'loading':
        this.progress.hidden = false;
        if (!view.jobId) view.jobId = message.body.jobId;
        showTitle(this.header, view.jobId);
        return;
      case 'error':
        this.progress.hidden = true;
        this.showNotice(l10n.t('Could not read the timeline: {0}', message.body.message), true);
        return;
      case 'timeline':
        this.progress.hidden = true;
        this.olderPending = false;
        this.showTimeline(message.body.timeline, message.body.olderCount, message.body.updatedAt);
        return;
      case 'older':
        this.showOlder(message.body);
        return;
      case 'olderError':
        this.olderPending = false;
        this.renderOlderBar(l10n.t('Could not read older events: {0}', message.body.message));
        return;
      case 'append': {
        this.progress.hidden = true;
        const { from, events, rest, updatedAt } = message.body;
        const current = this.model.timeline;
        if (!current || current.events.length !== from) {
          // Out of step (the page reloaded meanwhile): ask for everything again.
          this.start();
          return;
        }
        this.showTimeline({ ...rest, events: events.length > 0 ? current.events.concat(events) : current.events }, this.model.olderCount, updatedAt);
        return;
      }
      case 'call':
        if (message.body.jobId === view.jobId) renderCall(this.call, message.body.call);
        return;
      case 'copied':
        this.showCopied(message.body.index);
        return;
      case 'preview':
        this.setPreview(message.body.preview);
        return;
    }
  }

  private showTimeline(next: ShownTimeline, olderCount: number, updatedAt: number): void {
    const added = this.model.setTimeline(next, olderCount);
    this.renderOlderBar(null);
    this.notice.hidden = true;
    this.updatedAt = updatedAt;
    renderHeader(this.header, this.model, next, updatedAt, this.clock.now());
    renderErrorBanner(this.errorBanner, this.model, (i) => this.goToEvent(i, true));
    renderProblems(this.problems, next);
    const count = next.events.length;
    this.empty.hidden = count > 0;
    if (count === 0) this.empty.textContent = l10n.t('No events found for job {0}.', next.jobId);
    this.list.setItems(this.model.rows);
    if (!this.restored) {
      this.restored = true;
      const { anchorKey, active } = this.model.view;
      if (anchorKey) {
        const i = this.list.indexOfKey(anchorKey);
        if (i >= 0) this.list.reveal(i, 'top');
      }
      this.list.setActive(Math.min(active, Math.max(0, this.model.rows.length - 1)), false);
    } else if (added > 0) {
      this.announce(`${added} new event${added === 1 ? '' : 's'}`);
    }
    this.tickWhileRunning();
    this.saveState();
  }

  /** Puts an older page before the loaded events; the list keeps what is in view where it is. */
  private showOlder(body: Extract<ToTimeline, { type: 'older' }>['body']): void {
    this.olderPending = false;
    const current = this.model.timeline;
    if (!current || current.events[0]?.nats_sequence !== body.before) {
      // Out of step (the timeline was replaced meanwhile): ask for everything again.
      this.start();
      return;
    }
    if (this.copiedIndex >= 0) this.copiedIndex += body.events.length;
    this.showTimeline({ ...current, events: body.events.concat(current.events), problems: body.problems }, body.olderCount, this.updatedAt);
    this.announce(`${body.events.length} older event${body.events.length === 1 ? '' : 's'} loaded`);
  }

  /** Asks for the page before the first loaded event, once at a time. */
  private loadOlder(): void {
    if (this.olderPending || this.model.olderCount === 0) return;
    this.olderPending = true;
    this.keepOpen();
    this.renderOlderBar(null);
    this.host.post({ type: 'loadOlder', body: {} });
  }

  private renderOlderBar(error: string | null): void {
    const n = this.model.olderCount;
    clear(this.olderBar);
    this.olderBar.hidden = n === 0;
    if (n === 0) return;
    const what = `${n.toLocaleString()} older event${n === 1 ? '' : 's'} not loaded`;
    append(
      this.olderBar,
      icon(error ? 'error' : 'history'),
      el('span', { class: error ? 'older-error' : 'muted', text: error ?? what }),
      this.olderPending
        ? el('span', { class: 'muted', text: l10n.t('Loading…') })
        : button('fold-up', l10n.t('Load older'), () => this.loadOlder(), { title: l10n.t('Read the page of events before the first one shown') }),
    );
  }

  /** A running attempt's run time counts up while it runs: its row and the header are drawn again each second. */
  private tickWhileRunning(): void {
    const running = this.model.runningAttemptRows().length > 0;
    if (running && !this.tickTimer) this.tickTimer = this.clock.setInterval(() => this.tick(), TICK_MS);
    else if (!running && this.tickTimer) {
      this.clock.clearInterval(this.tickTimer);
      this.tickTimer = 0;
    }
  }

  private tick(): void {
    const timeline = this.model.timeline;
    if (timeline) renderHeader(this.header, this.model, timeline, this.updatedAt, this.clock.now());
    for (const row of this.model.runningAttemptRows()) this.list.invalidate(row);
  }

  // ---- Actions ----

  private setPreview(preview: boolean): void {
    this.preview = preview;
    this.keepButton.hidden = !preview;
  }

  /** Using the preview (or pinning it) keeps it, as editing a file in a preview tab does. */
  private keepOpen(): void {
    if (!this.preview) return;
    this.setPreview(false);
    this.host.post({ type: 'keep', body: {} });
  }

  private toggle(eventIndex: number, rowIndex = this.model.rowOfEvent[eventIndex] ?? -1): void {
    this.keepOpen();
    const open = this.model.toggle(eventIndex);
    if (rowIndex >= 0) {
      this.list.invalidate(rowIndex);
      // Bring what was opened into view (its top, if it is taller than the view).
      if (open) this.list.reveal(rowIndex);
    }
    this.saveState();
  }

  private setExpanded(eventIndex: number, open: boolean): void {
    if (this.model.isExpanded(eventIndex) !== open) this.toggle(eventIndex);
  }

  private expandFailures(): void {
    let n = 0;
    this.model.events.forEach((event, i) => {
      if (isErrorEvent(event)) {
        this.model.expanded.add(this.model.eventKeyAt(i));
        n++;
      }
    });
    this.list.invalidateAll();
    this.announce(`${n} failed event${n === 1 ? '' : 's'} expanded`);
    this.saveState();
  }

  private collapseAll(): void {
    this.model.expanded.clear();
    this.list.invalidateAll();
    this.saveState();
  }

  private goToEvent(eventIndex: number, open: boolean): void {
    const row = this.model.rowOfEvent[eventIndex];
    if (row === undefined) return;
    if (open) this.setExpanded(eventIndex, true);
    this.list.setActive(row, false);
    this.list.reveal(row, 'top');
    this.list.focus();
  }

  private copyEvent(index: number): void {
    const event = this.model.events[index];
    if (!event) return;
    this.keepOpen();
    this.host.post({ type: 'copyEvent', body: { index, seq: event.nats_sequence ?? null } });
  }

  private showCopied(index: number): void {
    this.copiedIndex = index;
    this.announce(l10n.t('Copied the event as JSON'));
    this.refreshEventRow(index);
    this.clock.clearTimeout(this.copiedTimer);
    this.copiedTimer = this.clock.setTimeout(() => {
      this.copiedIndex = -1;
      this.refreshEventRow(index);
    }, COPIED_MS);
  }

  private refreshEventRow(eventIndex: number): void {
    const row = this.model.rowOfEvent[eventIndex];
    if (row !== undefined && eventIndex >= 0 && eventIndex < this.model.events.length) this.list.invalidate(row);
  }

  private refresh(): void {
    this.progress.hidden = false;
    this.host.post({ type: 'refresh', body: {} });
  }

  private setTimeMode(mode: TimeMode): void {
    const view = this.model.view;
    if (view.timeMode === mode) return;
    view.timeMode = mode;
    this.showTimeMode();
    this.model.updateTimeContext();
    const timeline = this.model.timeline;
    if (timeline) {
      renderHeader(this.header, this.model, timeline, this.updatedAt, this.clock.now());
      renderErrorBanner(this.errorBanner, this.model, (i) => this.goToEvent(i, true));
    }
    this.list.invalidateAll();
    this.host.post({ type: 'timeMode', body: { mode } });
    this.announce(l10n.t('Times shown as {0}', timeModeLabel(mode)));
    this.saveState();
  }

  private showTimeMode(): void {
    for (const [mode, b] of this.modeButtons) {
      const selected = mode === this.model.view.timeMode;
      b.setAttribute('aria-pressed', String(selected));
      b.classList.toggle('selected', selected);
    }
  }

  // ---- State, notices ----

  private saveStateSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = this.clock.setTimeout(() => {
      this.saveTimer = 0;
      this.saveState();
    }, SAVE_DELAY_MS);
  }

  private saveState(): void {
    const view = this.model.view;
    view.expanded = [...this.model.expanded].slice(0, 10_000);
    // Until the first timeline is shown, the list is empty: keep the position the page was restored with.
    if (this.restored && this.list.count > 0) {
      view.active = this.list.active;
      view.anchorKey = this.list.topKey();
    }
    this.host.setState({ ...view });
  }

  private showNotice(text: string, isError: boolean): void {
    clear(this.notice);
    append(this.notice, icon(isError ? 'error' : 'info'), el('span', { text }), isError ? button('refresh', l10n.t('Retry'), () => this.refresh()) : null);
    this.notice.classList.toggle('notice-error', isError);
    this.notice.hidden = false;
  }

  private announce(text: string): void {
    this.live.textContent = '';
    this.clock.setTimeout(() => {
      this.live.textContent = text;
    }, ANNOUNCE_DELAY_MS);
  }
}
