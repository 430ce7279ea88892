/**
 * The live tail page: one decoded event per line, newest at the bottom, following the end unless
 * the user scrolls up. Pause buffers (with a count), Clear empties, the filter box narrows the lines
 * client-side, Enter or a click on a line opens that job's timeline.
 */
import * as l10n from '@vscode/l10n';
import { type TailLine, type TailMessage, type TailStatus, type TailViewState, type ToTail } from '../../client/src/webview/messages';
import { append, button, clear, contextChip, el, icon } from './lib/dom';
import { iconFor, toneFor } from './lib/eventLook';
import './lib/l10n';
import { dayOf, formatClock, fullTimestamp } from './lib/time';
import { VirtualList } from './lib/virtualList';
import { connect, onHostMessage } from './lib/vscode';
import { dayStarts } from './tail/tailDays';
import { tailHeader } from './tail/tailHeader';
import { DEFAULT_CAP, TailModel, filterLines, isEmptyFilter, parseFilter, type Filter } from './tail/tailModel';

function isTailState(value: unknown): value is TailViewState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.filter === 'string' && v.filter.length <= 1000 && (v.pausedAt === null || (typeof v.pausedAt === 'number' && Number.isSafeInteger(v.pausedAt)));
}

const host = connect<TailMessage, TailViewState>(isTailState);
const state: TailViewState = host.getState() ?? { filter: '', pausedAt: null };
const model = new TailModel(DEFAULT_CAP);
let filter: Filter = parseFilter(state.filter);
let status: TailStatus | null = null;
let shown: readonly TailLine[] = [];
/** Lines that show their date: the first of each day among the shown ones. */
let datedLines = new Set<number>();
/** Lines shown whole (wrapped) rather than on one clipped line. */
const expandedLines = new Set<number>();
/** Whether lines came since the last frame that showed them, and that frame while it is due. */
let linesChanged = false;
let linesFrame = 0;

// ---- Layout ----

const app = document.getElementById('app')!;
const statusIcon = el('span', { class: 'tail-status-icon' });
const statusText = el('span', { class: 'tail-status', attrs: { role: 'status' } });
const pauseButton = button('debug-pause', l10n.t('Pause'), () => togglePause(), { title: l10n.t('Pause the display (lines keep arriving and are counted)') });
const clearButton = button('clear-all', l10n.t('Clear'), () => clearLines(), { iconOnly: true, title: l10n.t('Clear the lines') });
const stopButton = button('debug-stop', l10n.t('Stop'), () => host.post({ type: 'stop', body: {} }), { title: l10n.t('Stop the tail') });
const restartButton = button('debug-restart', l10n.t('Restart'), () => host.post({ type: 'restart', body: {} }), { title: l10n.t('Start the tail again') });
const filterInput = el('input', {
  class: 'filter-input',
  attrs: { type: 'search', placeholder: l10n.t('Filter (words, -exclude)'), 'aria-label': l10n.t('Filter lines'), spellcheck: 'false', autocomplete: 'off' },
});
filterInput.value = state.filter;
const lineCount = el('span', { class: 'line-count muted small', attrs: { 'aria-live': 'polite' } });
const skippedNote = el('span', { class: 'skipped-note', attrs: { hidden: true } });
const errorNote = el('div', { class: 'notice notice-error', attrs: { hidden: true, role: 'alert' } });
const listHost = el('div', { class: 'tail-list' });
const empty = el('div', { class: 'empty', attrs: { hidden: true } });
const keysHelp = el('div', { class: 'keys-help muted small', attrs: { id: 'keys-help' }, text: l10n.t('↑↓ PgUp PgDn Home End move · Enter or click opens the job timeline · Space expands a long line · P pause / resume · / filter'),
});

append(
  app,
  el(
    'header',
    { class: 'header tail-header' },
    el('div', { class: 'title-row' }, statusIcon, statusText, el('span', { class: 'grow' }), skippedNote, lineCount),
    el('div', { class: 'toolbar' }, pauseButton, clearButton, stopButton, restartButton, el('div', { class: 'filter' }, icon('filter'), filterInput)),
  ),
  errorNote,
  empty,
  listHost,
  keysHelp,
);
listHost.setAttribute('aria-describedby', 'keys-help');

const list = new VirtualList<TailLine>({
  host: listHost,
  label: l10n.t('Tailed events. Enter opens the job timeline.'),
  idPrefix: 'line',
  // A line that becomes the first of its day (the lines before it trimmed or filtered out) shows its date: another row.
  key: (line) => (datedLines.has(line.n) ? `n${line.n}d` : `n${line.n}`),
  estimate: () => 22,
  // A line not expanded is one line of fixed height; the first of a day has the day above it.
  kind: (line) => (expandedLines.has(line.n) ? null : `${line.kind}${datedLines.has(line.n) ? '-dated' : ''}`),
  render: renderLine,
  ariaLabel: lineLabel,
  expanded: (line) => (line.kind === 'event' ? expandedLines.has(line.n) : null),
  onActivate: (i, line, how) => (how === 'space' ? toggleExpanded(i, line) : openLine(line)),
  onKey: (event) => {
    if (event.key === '/' || (event.ctrlKey && event.key.toLowerCase() === 'f')) {
      filterInput.focus();
      filterInput.select();
      return true;
    }
    if (!event.ctrlKey && (event.key === 'p' || event.key === 'P')) {
      togglePause();
      return true;
    }
    return false;
  },
  followEnd: true,
  keepRows: true,
  overscan: 400,
});

// ---- Input ----

let filterTimer = 0;
filterInput.addEventListener('input', () => {
  window.clearTimeout(filterTimer);
  filterTimer = window.setTimeout(() => {
    state.filter = filterInput.value.slice(0, 1000);
    filter = parseFilter(state.filter);
    show();
    saveState();
  }, 80);
});
filterInput.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && filterInput.value) {
    filterInput.value = '';
    filterInput.dispatchEvent(new Event('input'));
    event.preventDefault();
  } else if (event.key === 'ArrowDown' || event.key === 'Enter') {
    list.focus();
    event.preventDefault();
  }
});

// ---- Messages ----

onHostMessage<ToTail>((message) => {
  switch (message.type) {
    case 'reset':
      model.cap = message.body.cap;
      model.reset(message.body.lines, state.pausedAt);
      setStatus(message.body.status);
      show();
      break;
    case 'lines':
      // The extension sends the next lines once this one is taken: they never queue on the way.
      host.post({ type: 'received', body: { batch: message.body.batch } });
      if (status) status.skipped = message.body.skipped;
      linesChanged = model.append(message.body.lines) || linesChanged;
      scheduleLines();
      break;
    case 'status':
      setStatus(message.body.status);
      break;
  }
});

host.post({ type: 'ready', body: {} });

/**
 * Lines are shown once per frame, whatever the number of messages that brought them: a burst of
 * them (a flood at the rate limit comes in many messages at once) would otherwise re-lay the list
 * for each message and hold the page for hundreds of milliseconds.
 */
function scheduleLines(): void {
  if (linesFrame) return;
  linesFrame = requestAnimationFrame(() => {
    linesFrame = 0;
    if (linesChanged) show();
    else updateCounts();
    linesChanged = false;
    showSkipped();
  });
}

// ---- Rendering ----

function show(): void {
  shown = filterLines(model.lines, filter);
  datedLines = dayStarts(shown);
  list.setItems(shown);
  empty.hidden = shown.length > 0;
  empty.textContent = model.lines.length > 0 ? l10n.t('No line matches the filter.') : status && status.state !== 'stopped' ? l10n.t('Waiting for events…') : l10n.t('No lines.');
  updateCounts();
}

function updateCounts(): void {
  const total = model.lines.length;
  const text = isEmptyFilter(filter)
    ? total === 1
      ? l10n.t('1 line')
      : l10n.t('{0} lines', total.toLocaleString())
    : l10n.t('{0} of {1} lines', shown.length.toLocaleString(), total.toLocaleString());
  lineCount.textContent = text;
  const pending = model.pendingCount;
  const label = pauseButton.querySelector('.button-label');
  const pauseIcon = pauseButton.querySelector('.codicon');
  if (label) label.textContent = model.isPaused ? (pending > 0 ? l10n.t('Resume ({0} new)', pending.toLocaleString()) : l10n.t('Resume')) : l10n.t('Pause');
  if (pauseIcon) pauseIcon.className = `codicon codicon-${model.isPaused ? 'debug-continue' : 'debug-pause'}`;
  pauseButton.setAttribute('aria-pressed', String(model.isPaused));
  pauseButton.classList.toggle('attention', model.isPaused && pending > 0);
  showHeader();
}

function setStatus(next: TailStatus): void {
  status = next;
  // The extension restores this tail from the saved params after a window reload.
  state.params = next.params;
  saveState();
  showHeader();
  const running = next.state === 'live' || next.state === 'starting' || next.state === 'reconnecting';
  stopButton.hidden = !running;
  restartButton.hidden = running;
  statusText.title = next.params.types?.length ? l10n.t('Types: {0}', next.params.types.join(', ')) : l10n.t('All event types');
  showSkipped();
  updateCounts();
  if (shown.length === 0) empty.textContent = running ? l10n.t('Waiting for events…') : l10n.t('No lines.');
}

/** The header follows the tail's state and the page's pause. */
function showHeader(): void {
  if (!status) return;
  const header = tailHeader(status, model.isPaused, model.pendingCount);
  statusText.textContent = header.text;
  statusIcon.className = `tail-status-icon codicon codicon-${header.icon} tone-${header.tone}${header.spin ? ' codicon-modifier-spin' : ''}`;
  app.dataset.tailState = model.isPaused && status.state === 'live' ? 'paused' : status.state;
  errorNote.hidden = header.note === null;
  clear(errorNote);
  if (header.note) {
    errorNote.className = `notice ${header.note.kind === 'error' ? 'notice-error' : 'notice-warning'}`;
    errorNote.setAttribute('role', header.note.kind === 'error' ? 'alert' : 'status');
    append(errorNote, icon(header.note.kind), el('span', { text: header.note.text }));
  }
}

/** The skipped count the note shows: it is built again only when the count moves, not at every frame. */
let skippedShown = 0;

function showSkipped(): void {
  const skipped = status?.skipped ?? 0;
  if (skipped === skippedShown) return;
  skippedShown = skipped;
  skippedNote.hidden = skipped <= 0;
  clear(skippedNote);
  if (skipped > 0) append(skippedNote, icon('warning'), el('span', { text: ` ${l10n.t('{0} skipped by the rate limit', skipped.toLocaleString())}` }));
}

/** The line with, when it is the first of its day, the day above it; the clock column stays aligned. */
function renderLine(line: TailLine): HTMLElement {
  const row = renderRow(line);
  if (line.time === null || !datedLines.has(line.n)) return row;
  return el('div', { class: 'tail-day-start' }, el('div', { class: 'tl-day muted small', text: dayOf(line.time, false) }), row);
}

function renderRow(line: TailLine): HTMLElement {
  const time = el('span', { class: 'tl-time mono', text: line.time === null ? '—' : formatClock(line.time, false) });
  if (line.time !== null) time.title = fullTimestamp(line.time);
  if (line.kind === 'skipped') {
    return el('div', { class: 'tail-line skipped-line' }, time, icon('warning'), el('span', { text: line.message ?? l10n.t('events skipped by the rate limit') }));
  }
  if (line.kind === 'problem') {
    return el(
      'div',
      { class: 'tail-line problem-line tone-error' },
      time,
      el('span', { class: 'tl-seq mono muted', text: line.seq === null ? '#?' : `#${line.seq}` }),
      icon('warning'),
      el('span', { class: 'tl-type', text: l10n.t('could not decode') }),
      el('span', { class: 'tl-error', text: line.error ?? '' }),
      el('span', { class: 'tl-message muted', text: line.message ?? '' }),
    );
  }
  return el(
    'div',
    { class: ['tail-line', toneFor(line.type, line.error !== null), expandedLines.has(line.n) ? 'expanded' : undefined] },
    time,
    el('span', { class: 'tl-seq mono muted', text: line.seq === null ? '#?' : `#${line.seq}` }),
    icon(iconFor(line.type), 'tl-icon'),
    el('span', { class: 'tl-type', text: line.type, attrs: { title: line.type } }),
    el('span', { class: 'tl-job mono', text: line.jobId ?? '?' }),
    // The row's aria-label names the worker and queue: a hidden word in each chip would only add a
    // fifth to each line's style and layout, at up to 1,000 lines a second.
    line.worker ? contextChip('server-process', l10n.t('Worker'), line.worker, 'tl-context', false) : null,
    line.queue ? contextChip('list-flat', l10n.t('Queue'), line.queue, 'tl-context', false) : null,
    line.error ? el('span', { class: 'tl-error', text: line.error }) : el('span', { class: 'tl-message muted', text: line.message ?? '' }),
  );
}

function lineLabel(line: TailLine): string {
  if (line.kind !== 'event') return `${line.type}: ${line.message ?? line.error ?? ''}`;
  return [
    line.type,
    l10n.t('job {0}', line.jobId ?? l10n.t('unknown')),
    line.worker ? l10n.t('worker {0}', line.worker) : null,
    line.queue ? l10n.t('queue {0}', line.queue) : null,
    line.error,
    line.time === null ? null : formatClock(line.time, false, datedLines.has(line.n)),
  ]
    .filter(Boolean)
    .join(', ');
}

// ---- Actions ----

function openLine(line: TailLine): void {
  if (line.kind !== 'event' || !line.jobId) return;
  host.post({ type: 'openTimeline', body: { jobId: line.jobId } });
}

/** Space on a line: shows it whole (wrapped), or on one line again. */
function toggleExpanded(index: number, line: TailLine): void {
  if (line.kind !== 'event') return;
  if (!expandedLines.delete(line.n)) expandedLines.add(line.n);
  list.invalidate(index);
}

function togglePause(): void {
  if (model.isPaused) model.resume();
  else model.pause();
  state.pausedAt = model.pausedAt;
  show();
  if (!model.isPaused) list.scrollToEnd();
  saveState();
}

function clearLines(): void {
  model.clear();
  host.post({ type: 'clear', body: {} });
  state.pausedAt = model.pausedAt;
  show();
  saveState();
}

function saveState(): void {
  host.setState({ ...state });
}
