/**
 * The job timeline page: header facts, last error, decode problems, and a virtualized list of the
 * job's events in stream order, grouped into attempts. State (time mode, expanded events, position)
 * is kept with setState so a reload, or a panel hidden and shown, comes back where it was.
 */
import type { JobEvent } from '../../server/src/model/event';
import type { Timeline } from '../../server/src/protocol/protocol';
import { isTimelineViewState, TimeModes, type TimelineMessage, type TimelineViewState, type TimeMode, type ToTimeline } from '../../client/src/webview/messages';
import { append, button, clear, contextChip, el, icon } from './lib/dom';
import { iconFor, toneFor, familyClass } from './lib/eventLook';
import { renderJsonTree } from './lib/jsonTree';
import { formatDuration, formatEventTime, formatGap, fullTimestamp, spansDays, timeModeLabel, type TimeContext } from './lib/time';
import { VirtualList } from './lib/virtualList';
import { connect, onHostMessage } from './lib/vscode';
import {
  attemptLabel,
  buildRows,
  errorText,
  eventKey,
  groupAttempts,
  headlineError,
  isErrorEvent,
  outcomeLabel,
  spanMs,
  tracebackOf,
  type Grouping,
  type TimelineRow,
} from './timeline/attempts';

const host = connect<TimelineMessage, TimelineViewState>(isTimelineViewState);

const state: TimelineViewState = host.getState() ?? { jobId: '', timeMode: 'local', expanded: [], active: 0, anchorKey: null };
const expanded = new Set(state.expanded);
let timeline: Timeline | null = null;
let grouping: Grouping = { preambleEnd: 0, attempts: [] };
let rows: TimelineRow[] = [];
let rowOfEvent: Int32Array = new Int32Array(0);
let timeContext: TimeContext = { mode: state.timeMode, origin: 0, withDate: false };
let restored = false;
let copiedIndex = -1;
let copiedTimer = 0;

// ---- Layout ----

const app = document.getElementById('app')!;
const progress = el('div', { class: 'progress', attrs: { role: 'progressbar', 'aria-label': 'Loading', hidden: true } });
const title = el('h1', { class: 'title' });
const statusBadge = el('span', { class: 'badge' });
const sourceBadge = el('span', { class: 'badge badge-muted', attrs: { hidden: true } });
const updated = el('span', { class: 'muted small' });
const modeButtons = new Map<TimeMode, HTMLButtonElement>();
const modeGroup = el('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Time display' } });
for (const mode of TimeModes) {
  const b = button(null, timeModeLabel(mode), () => setTimeMode(mode), {
    title: mode === 'relative' ? 'Time since the first event' : mode === 'utc' ? 'Clock time in UTC' : 'Clock time in your time zone',
  });
  modeButtons.set(mode, b);
  modeGroup.appendChild(b);
}
const toolbar = el(
  'div',
  { class: 'toolbar' },
  modeGroup,
  button('fold-down', 'Expand failures', () => expandFailures(), { iconOnly: true, title: 'Expand every failed event' }),
  button('fold-up', 'Collapse all', () => collapseAll(), { iconOnly: true }),
  button('refresh', 'Refresh', () => refresh(), { iconOnly: true, title: 'Read the timeline again' }),
);
const facts = el('dl', { class: 'facts' });
const notice = el('div', { class: 'notice', attrs: { hidden: true, role: 'alert' } });
const errorBanner = el('section', { class: 'error-banner', attrs: { hidden: true, 'aria-label': 'Last error' } });
const problems = el('details', { class: 'problems', attrs: { hidden: true } });
const listHost = el('div', { class: 'timeline-list' });
const empty = el('div', { class: 'empty', attrs: { hidden: true } });
const live = el('div', { class: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
const keysHelp = el('div', {
  class: 'keys-help muted small',
  attrs: { id: 'keys-help' },
  text: '↑↓ PgUp PgDn Home End move · Enter expand · C copy JSON · F / Shift+F next / previous failure · T time display',
});

append(
  app,
  progress,
  el('header', { class: 'header' }, el('div', { class: 'title-row' }, icon('symbol-event'), title, statusBadge, sourceBadge, el('span', { class: 'grow' }), updated, toolbar), facts),
  notice,
  errorBanner,
  problems,
  empty,
  listHost,
  keysHelp,
  live,
);

const list = new VirtualList<TimelineRow>({
  host: listHost,
  label: 'Job events',
  idPrefix: 'row',
  key: rowKey,
  estimate: estimateRow,
  render: renderRow,
  expanded: (row) => (row.kind === 'event' ? expanded.has(eventKeyAt(row.index)) : null),
  ariaLabel: rowLabel,
  onActivate: (i, row, how) => {
    if (row.kind === 'event') toggle(row.index, i);
    else if (how !== 'click') announce(rowLabel(row));
  },
  onKey: onListKey,
  onActiveChange: () => saveState(),
  onScroll: () => saveStateSoon(),
  overscan: 600,
});

listHost.setAttribute('aria-describedby', 'keys-help');

// ---- Messages ----

onHostMessage<ToTimeline>((message) => {
  switch (message.type) {
    case 'init':
      if (!state.jobId) {
        state.jobId = message.body.jobId;
        state.timeMode = message.body.timeMode;
      }
      title.textContent = `Job ${state.jobId}`;
      document.title = `Job ${state.jobId}`;
      showTimeMode();
      saveState();
      break;
    case 'loading':
      progress.hidden = false;
      if (!state.jobId) state.jobId = message.body.jobId;
      title.textContent = `Job ${state.jobId}`;
      break;
    case 'error':
      progress.hidden = true;
      showNotice(`Could not read the timeline: ${message.body.message}`, true);
      break;
    case 'timeline':
      progress.hidden = true;
      showTimeline(message.body.timeline, message.body.updatedAt);
      break;
    case 'append': {
      progress.hidden = true;
      const { from, events, rest, updatedAt } = message.body;
      if (!timeline || timeline.events.length !== from) {
        // Out of step (the page reloaded meanwhile): ask for everything again.
        host.post({ type: 'ready', body: {} });
        break;
      }
      showTimeline({ ...rest, events: events.length > 0 ? timeline.events.concat(events) : timeline.events }, updatedAt);
      break;
    }
    case 'copied':
      copiedIndex = message.body.index;
      announce('Copied the event as JSON');
      refreshEventRow(copiedIndex);
      window.clearTimeout(copiedTimer);
      copiedTimer = window.setTimeout(() => {
        const index = copiedIndex;
        copiedIndex = -1;
        refreshEventRow(index);
      }, 1500);
      break;
  }
});

showTimeMode();
if (state.jobId) title.textContent = `Job ${state.jobId}`;
host.post({ type: 'ready', body: {} });

// ---- Rendering ----

function showTimeline(next: Timeline, updatedAt: number): void {
  const previousCount = timeline?.events.length ?? 0;
  timeline = next;
  state.jobId = next.jobId;
  const events = next.events;
  grouping = groupAttempts(events);
  rows = buildRows(grouping, events.length);
  rowOfEvent = new Int32Array(events.length);
  rows.forEach((row, i) => {
    if (row.kind === 'event') rowOfEvent[row.index] = i;
  });
  updateTimeContext();
  hideNotice();
  renderHeader(next, updatedAt);
  renderErrorBanner(events);
  renderProblems(next);
  empty.hidden = events.length > 0;
  if (events.length === 0) empty.textContent = `No events found for job ${next.jobId}.`;
  list.setItems(rows);
  if (!restored) {
    restored = true;
    if (state.anchorKey) {
      const i = list.indexOfKey(state.anchorKey);
      if (i >= 0) list.reveal(i, 'top');
    }
    list.setActive(Math.min(state.active, Math.max(0, rows.length - 1)), false);
  } else if (events.length > previousCount) {
    announce(`${events.length - previousCount} new event${events.length - previousCount === 1 ? '' : 's'}`);
  }
  saveState();
}

function updateTimeContext(): void {
  const events = timeline?.events ?? [];
  let first = Infinity;
  let last = -Infinity;
  for (const event of events) {
    if (!Number.isFinite(event.timestamp)) continue;
    first = Math.min(first, event.timestamp);
    last = Math.max(last, event.timestamp);
  }
  const origin = events.length > 0 && Number.isFinite(events[0]!.timestamp) ? events[0]!.timestamp : first;
  timeContext = { mode: state.timeMode, origin, withDate: spansDays(first, last, state.timeMode === 'utc') };
}

function renderHeader(t: Timeline, updatedAt: number): void {
  title.textContent = `Job ${t.jobId}`;
  document.title = `Job ${t.jobId}`;
  const status = t.job?.status ?? null;
  statusBadge.textContent = status ?? 'not indexed';
  statusBadge.className = `badge status-${status ?? 'unknown'}`;
  sourceBadge.hidden = t.source !== 'consumer';
  sourceBadge.textContent = 'index building';
  sourceBadge.title = 'The index is still being built: these events were read with a filtered consumer.';
  updated.textContent = `Updated ${new Date(updatedAt).toLocaleTimeString()}`;

  const events = t.events;
  const queues = distinct(events.map((e) => e.queue_name));
  const workers = distinct(events.map((e) => e.worker_id));
  const span = spanMs(events);
  clear(facts);
  const fact = (label: string, value: string, tooltip?: string) => {
    const dd = el('dd', { text: value });
    if (tooltip) dd.title = tooltip;
    append(facts, el('div', { class: 'fact' }, el('dt', { text: label }), dd));
  };
  fact('Queue', listText(queues) || (t.job?.queue ?? '—'), queues.join(', '));
  fact('Worker', listText(workers) || (t.job?.worker ?? '—'), workers.join(', '));
  fact('Attempts', String(grouping.attempts.length));
  fact('Events', events.length.toLocaleString());
  fact('Runtime', span === null ? '—' : formatDuration(span), 'From the first to the last event');
  if (events.length > 0) {
    const firstTs = events[0]!.timestamp;
    fact('First event', formatEventTime(firstTs, { ...timeContext, mode: timeContext.mode === 'relative' ? 'local' : timeContext.mode, withDate: true }), fullTimestamp(firstTs));
  }
}

function renderErrorBanner(events: readonly JobEvent[]): void {
  clear(errorBanner);
  const headline = headlineError(events);
  if (!headline) {
    errorBanner.hidden = true;
    return;
  }
  // The error itself (type, message, traceback), and what finally happened if that came after it
  // (e.g. max_retries_exceeded, which carries no error of its own).
  const index = headline.error >= 0 ? headline.error : headline.final;
  const event = events[index]!;
  const final = events[headline.final]!;
  const attempt = grouping.attempts.find((a) => index >= a.start && index < a.end);
  const traceback = tracebackOf(event);
  const where = (e: JobEvent, withAttempt: boolean) =>
    [e.event_type, withAttempt && attempt ? attemptLabel(attempt, grouping.attempts.length) : null, e.worker_id ? `worker ${e.worker_id}` : null, e.nats_sequence !== null ? `#${e.nats_sequence}` : null, formatEventTime(e.timestamp, timeContext)]
      .filter(Boolean)
      .join(' · ');
  append(
    errorBanner,
    el(
      'div',
      { class: 'error-title' },
      icon('error'),
      el('span', { class: 'error-text', text: errorText(event) ?? event.message ?? event.event_type }),
      el('span', { class: 'grow' }),
      button('arrow-down', 'Show event', () => goToEvent(index, true)),
    ),
    el('div', { class: 'muted small', text: where(event, true) }),
    headline.final !== index ? el('div', { class: 'error-final', text: `Then ${where(final, false)}${final.message ? `: ${final.message}` : ''}` }) : null,
  );
  if (traceback) {
    append(errorBanner, el('details', { class: 'traceback-details' }, el('summary', { text: 'Traceback' }), el('pre', { class: 'traceback', text: traceback })));
  }
  errorBanner.hidden = false;
}

function renderProblems(t: Timeline): void {
  clear(problems);
  problems.hidden = t.problems.length === 0;
  if (t.problems.length === 0) return;
  const n = t.problems.length;
  problems.open = n <= 5;
  append(problems, el('summary', {}, icon('warning'), el('span', { text: ` ${n} event${n === 1 ? '' : 's'} of this job could not be decoded` })));
  const ul = el('ul', { class: 'problem-list' });
  for (const problem of t.problems.slice(0, 200)) {
    append(
      ul,
      el(
        'li',
        {},
        el('span', { class: 'mono', text: problem.seq === null ? '#?' : `#${problem.seq}` }),
        ' ',
        problem.subject ? el('span', { class: 'mono muted', text: problem.subject }) : null,
        ' ',
        el('span', { text: problem.message }),
      ),
    );
  }
  if (n > 200) append(ul, el('li', { class: 'muted', text: `… and ${n - 200} more` }));
  problems.appendChild(ul);
}

function rowKey(row: TimelineRow): string {
  switch (row.kind) {
    case 'preamble':
      return 'preamble';
    case 'attempt':
      return `attempt-${row.attempt.number}`;
    case 'event':
      return eventKeyAt(row.index);
  }
}

function eventKeyAt(index: number): string {
  const event = timeline?.events[index];
  return event ? eventKey(event, index) : `i${index}`;
}

/** Row heights as timeline.css draws them (1px borders included); measured heights replace them. */
const GROUP_ROW_HEIGHT = 32;
const EVENT_ROW_HEIGHT = 26;
const ERROR_ROW_HEIGHT = 45;

function estimateRow(row: TimelineRow): number {
  if (row.kind !== 'event') return GROUP_ROW_HEIGHT;
  const event = timeline!.events[row.index]!;
  if (expanded.has(eventKeyAt(row.index))) return 240;
  return errorText(event) ? ERROR_ROW_HEIGHT : EVENT_ROW_HEIGHT;
}

function rowLabel(row: TimelineRow): string {
  const events = timeline?.events ?? [];
  switch (row.kind) {
    case 'preamble':
      return `Before the first attempt, ${row.count} events`;
    case 'attempt': {
      const a = row.attempt;
      return [attemptLabel(a, row.of), outcomeLabel(a.outcome), a.worker ? `on worker ${a.worker}` : null, a.durationMs === null ? null : formatDuration(a.durationMs), a.error ? errorLine(a.error) : null]
        .filter(Boolean)
        .join(', ');
    }
    case 'event': {
      const e = events[row.index]!;
      return [e.event_type, formatEventTime(e.timestamp, timeContext), e.message, errorText(e)].filter(Boolean).join(', ');
    }
  }
}

function errorLine(error: { type: string | null; message: string | null }): string {
  return [error.type, error.message].filter(Boolean).join(': ');
}

function renderRow(row: TimelineRow): HTMLElement {
  switch (row.kind) {
    case 'preamble':
      return el('div', { class: 'group-row preamble' }, icon('inbox'), el('strong', { text: 'Before the first attempt' }), el('span', { class: 'muted', text: `${row.count} event${row.count === 1 ? '' : 's'}` }));
    case 'attempt':
      return renderAttempt(row);
    case 'event':
      return renderEvent(row.index);
  }
}

function renderAttempt(row: Extract<TimelineRow, { kind: 'attempt' }>): HTMLElement {
  const a = row.attempt;
  const outcomeIcon = { running: 'loading', completed: 'pass', failed: 'error', timeout: 'watch', cancelled: 'circle-slash', interrupted: 'question' }[a.outcome];
  return el(
    'div',
    { class: ['group-row', 'attempt', `outcome-${a.outcome}`] },
    icon(outcomeIcon, a.outcome === 'running' ? 'codicon-modifier-spin' : undefined),
    el('strong', { text: attemptLabel(a, row.of) }),
    el('span', { class: 'outcome', text: outcomeLabel(a.outcome) }),
    a.worker ? el('span', { class: 'muted', text: `worker ${a.worker}${a.workerType ? ` (${a.workerType})` : ''}` }) : null,
    a.durationMs === null ? null : el('span', { class: 'muted', text: formatDuration(a.durationMs) }),
    a.error ? el('span', { class: 'attempt-error', text: errorLine(a.error) }) : null,
  );
}

function renderEvent(index: number): HTMLElement {
  const events = timeline!.events;
  const event = events[index]!;
  const key = eventKeyAt(index);
  const isOpen = expanded.has(key);
  const error = errorText(event);
  const previous = index > 0 ? events[index - 1]! : null;
  const gap = previous ? event.timestamp - previous.timestamp : NaN;
  const tone = toneFor(event.event_type, error !== null);

  const time = el('span', { class: 'ev-time mono', text: formatEventTime(event.timestamp, timeContext) });
  time.title = fullTimestamp(event.timestamp);
  const gapNode = el('span', { class: ['ev-gap', 'mono', gap < 0 ? 'negative' : null], text: previous ? formatGap(gap) : '' });
  if (previous) gapNode.title = 'Time since the previous event';

  const copy = button(copiedIndex === index ? 'check' : 'copy', 'Copy event as JSON', () => copyEvent(index), { iconOnly: true, class: 'ev-copy' });
  copy.tabIndex = -1;

  const head = el(
    'div',
    { class: 'ev-head' },
    icon(isOpen ? 'chevron-down' : 'chevron-right', 'ev-chevron'),
    time,
    gapNode,
    icon(iconFor(event.event_type), 'ev-icon'),
    el('span', { class: 'ev-type', text: event.event_type, attrs: { title: event.event_type } }),
    el('span', { class: 'ev-message', text: event.message ?? '' }),
    event.worker_id ? contextChip('server-process', 'Worker', event.worker_id, 'ev-context') : null,
    event.queue_name ? contextChip('list-flat', 'Queue', event.queue_name, 'ev-context') : null,
    event.duration_ms !== null ? el('span', { class: 'ev-duration muted mono', text: formatDuration(event.duration_ms) }) : null,
    copy,
  );
  const node = el('div', { class: ['ev', tone, familyClass(event.event_type), isOpen ? 'open' : null] }, head);
  if (error) node.appendChild(el('div', { class: 'ev-error', text: error }));
  if (isOpen) node.appendChild(renderEventBody(event));
  return node;
}

function renderEventBody(event: JobEvent): HTMLElement {
  const body = el('div', { class: 'ev-body' });
  const traceback = tracebackOf(event);
  if (traceback) append(body, section('Traceback', el('pre', { class: 'traceback', text: traceback })));

  const fields = el('dl', { class: 'fields' });
  const field = (label: string, value: string | number | null | undefined) => {
    if (value === null || value === undefined || value === '') return;
    append(fields, el('dt', { text: label }), el('dd', { class: 'mono', text: String(value) }));
  };
  field('Sequence', event.nats_sequence);
  field('Subject', event.nats_subject);
  field('Timestamp', fullTimestamp(event.timestamp));
  field('Worker', event.worker_id);
  field('Worker type', event.worker_type);
  field('Queue', event.queue_name);
  field('Duration', event.duration_ms === null ? null : `${event.duration_ms} ms`);
  field('Memory', event.memory_mb === null ? null : `${event.memory_mb} MB`);
  field('CPU time', event.cpu_time_ms === null ? null : `${event.cpu_time_ms} ms`);
  field('Error type', event.error_type);
  field('Error message', event.error_message);
  append(body, section('Fields', fields));

  const details = { ...(event.details ?? {}) };
  if (traceback) {
    delete details.traceback;
    delete details.stack;
  }
  if (Object.keys(details).length > 0) append(body, section('Details', renderJsonTree(details, { openDepth: 1 })));
  const tags = Object.entries(event.tags ?? {});
  if (tags.length > 0) {
    append(body, section('Tags', el('div', { class: 'tags' }, ...tags.map(([k, v]) => el('span', { class: 'tag', text: `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}` })))));
  }
  if (event.metadata && Object.keys(event.metadata).length > 0) append(body, section('Metadata', renderJsonTree(event.metadata, { openDepth: 1 })));
  return body;
}

function section(label: string, content: HTMLElement): HTMLElement {
  return el('section', { class: 'ev-section' }, el('h3', { text: label }), content);
}

// ---- Actions ----

function toggle(eventIndex: number, rowIndex = rowOfEvent[eventIndex] ?? -1): void {
  const key = eventKeyAt(eventIndex);
  if (expanded.has(key)) expanded.delete(key);
  else expanded.add(key);
  if (rowIndex >= 0) {
    list.invalidate(rowIndex);
    // Bring what was opened into view (its top, if it is taller than the view).
    if (expanded.has(key)) list.reveal(rowIndex);
  }
  saveState();
}

function setExpanded(eventIndex: number, open: boolean): void {
  if (expanded.has(eventKeyAt(eventIndex)) !== open) toggle(eventIndex);
}

function expandFailures(): void {
  const events = timeline?.events ?? [];
  let n = 0;
  events.forEach((event, i) => {
    if (isErrorEvent(event)) {
      expanded.add(eventKeyAt(i));
      n++;
    }
  });
  list.invalidateAll();
  announce(`${n} failed event${n === 1 ? '' : 's'} expanded`);
  saveState();
}

function collapseAll(): void {
  expanded.clear();
  list.invalidateAll();
  saveState();
}

function goToEvent(eventIndex: number, open: boolean): void {
  const row = rowOfEvent[eventIndex];
  if (row === undefined) return;
  if (open) setExpanded(eventIndex, true);
  list.setActive(row, false);
  list.reveal(row, 'top');
  list.focus();
}

function copyEvent(index: number): void {
  const event = timeline?.events[index];
  if (!event) return;
  host.post({ type: 'copyEvent', body: { index, seq: event.nats_sequence ?? null } });
}

function refreshEventRow(eventIndex: number): void {
  const row = rowOfEvent[eventIndex];
  if (row !== undefined && eventIndex >= 0 && eventIndex < (timeline?.events.length ?? 0)) list.invalidate(row);
}

function refresh(): void {
  progress.hidden = false;
  host.post({ type: 'refresh', body: {} });
}

function setTimeMode(mode: TimeMode): void {
  if (state.timeMode === mode) return;
  state.timeMode = mode;
  showTimeMode();
  updateTimeContext();
  if (timeline) {
    renderHeader(timeline, Date.now());
    renderErrorBanner(timeline.events);
  }
  list.invalidateAll();
  host.post({ type: 'timeMode', body: { mode } });
  announce(`Times shown as ${timeModeLabel(mode)}`);
  saveState();
}

function showTimeMode(): void {
  for (const [mode, b] of modeButtons) {
    b.setAttribute('aria-pressed', String(mode === state.timeMode));
    b.classList.toggle('selected', mode === state.timeMode);
  }
}

function onListKey(event: KeyboardEvent, index: number, row: TimelineRow): boolean {
  if (event.ctrlKey && event.key.toLowerCase() !== 'c') return false;
  switch (event.key) {
    case 'c':
    case 'C':
      if (row.kind !== 'event') return false;
      copyEvent(row.index);
      return true;
    case 'ArrowRight':
      if (row.kind === 'event') setExpanded(row.index, true);
      return true;
    case 'ArrowLeft':
      if (row.kind === 'event' && expanded.has(eventKeyAt(row.index))) setExpanded(row.index, false);
      else {
        // To the header of this group.
        for (let i = index - 1; i >= 0; i--) {
          if (rows[i]!.kind !== 'event') {
            list.setActive(i);
            break;
          }
        }
      }
      return true;
    case 'f':
    case 'F':
      return jumpToFailure(index, event.shiftKey ? -1 : 1);
    case 't':
    case 'T': {
      const next = TimeModes[(TimeModes.indexOf(state.timeMode) + 1) % TimeModes.length]!;
      setTimeMode(next);
      return true;
    }
  }
  return false;
}

function jumpToFailure(from: number, step: 1 | -1): boolean {
  const events = timeline?.events ?? [];
  for (let i = from + step; i >= 0 && i < rows.length; i += step) {
    const row = rows[i]!;
    if (row.kind === 'event' && isErrorEvent(events[row.index]!)) {
      list.setActive(i);
      return true;
    }
  }
  announce(step > 0 ? 'No later failure' : 'No earlier failure');
  return true;
}

// ---- State, notices ----

let saveTimer = 0;
function saveStateSoon(): void {
  if (saveTimer) return;
  saveTimer = window.setTimeout(() => {
    saveTimer = 0;
    saveState();
  }, 250);
}

function saveState(): void {
  state.expanded = [...expanded].slice(0, 10_000);
  // Until the first timeline is shown, the list is empty: keep the position the page was restored with.
  if (restored && list.count > 0) {
    state.active = list.active;
    state.anchorKey = list.topKey();
  }
  host.setState({ ...state });
}

function showNotice(text: string, isError: boolean): void {
  clear(notice);
  append(notice, icon(isError ? 'error' : 'info'), el('span', { text }), isError ? button('refresh', 'Retry', () => refresh()) : null);
  notice.classList.toggle('notice-error', isError);
  notice.hidden = false;
}

function hideNotice(): void {
  notice.hidden = true;
}

function announce(text: string): void {
  live.textContent = '';
  window.setTimeout(() => {
    live.textContent = text;
  }, 30);
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

function listText(values: string[]): string {
  if (values.length <= 3) return values.join(', ');
  return `${values.slice(0, 3).join(', ')} +${values.length - 3}`;
}
