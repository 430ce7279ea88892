/** The rows of the timeline list: their keys, estimated heights, accessible labels and elements. */
import * as l10n from '@vscode/l10n';
import type { JobEvent } from '../../../server/src/shared/events';
import { append, button, contextChip, el, icon } from '../lib/dom';
import { familyClass, iconFor, toneFor } from '../lib/eventLook';
import { renderJsonTree } from '../lib/jsonTree';
import { formatDuration, formatEventTime, formatGap, fullTimestamp, type TimeContext } from '../lib/time';
import { attemptElapsedMs, attemptLabel, errorText, outcomeLabel, tracebackOf, type Attempt, type TimelineRow } from './attempts';
import type { TimelineModel } from './model';

/**
 * Draws the parts of an expanded event that can be richer than text; the place for per-event
 * renderers such as a traceback whose frames link to the source.
 */
export interface EventDetailsRenderer {
  traceback(text: string, event: JobEvent): HTMLElement;
}

export const plainDetails: EventDetailsRenderer = {
  traceback: (text) => el('pre', { class: 'traceback', text }),
};

export interface RowContext {
  model: TimelineModel;
  details: EventDetailsRenderer;
  /** The event whose copy button shows a check mark, or -1. */
  copiedIndex(): number;
  copy(index: number): void;
  /** Epoch milliseconds: what a running attempt's time counts up to. */
  now(): number;
}

/** Row heights as timeline.css draws them (1px borders included); measured heights replace them. */
const GROUP_ROW_HEIGHT = 32;
const EVENT_ROW_HEIGHT = 26;
const ERROR_ROW_HEIGHT = 45;
const OPEN_ROW_HEIGHT = 240;

export function rowKey(model: TimelineModel, row: TimelineRow): string {
  switch (row.kind) {
    case 'preamble':
      return 'preamble';
    case 'attempt':
      return `attempt-${row.attempt.number}`;
    case 'event':
      return model.eventKeyAt(row.index);
  }
}

export function estimateRow(model: TimelineModel, row: TimelineRow): number {
  if (row.kind !== 'event') return GROUP_ROW_HEIGHT;
  if (model.isExpanded(row.index)) return OPEN_ROW_HEIGHT;
  return errorText(model.events[row.index]!) ? ERROR_ROW_HEIGHT : EVENT_ROW_HEIGHT;
}

export function rowLabel(model: TimelineModel, row: TimelineRow, nowMs: number): string {
  switch (row.kind) {
    case 'preamble':
      return l10n.t('{0}, {1} events', preambleTitle(model), row.count);
    case 'attempt': {
      const a = row.attempt;
      const elapsed = attemptElapsedMs(a, model.events, nowMs);
      return [attemptTitle(model, a, row.of), outcomeLabel(a.outcome), a.worker ? l10n.t('on worker {0}', a.worker) : null, elapsed === null ? null : l10n.t('run time {0}', formatDuration(elapsed)), a.error ? errorLine(a.error) : null]
        .filter(Boolean)
        .join(', ');
    }
    case 'event': {
      const e = model.events[row.index]!;
      return [e.event_type, formatEventTime(e.timestamp, model.timeContext), e.message, errorText(e)].filter(Boolean).join(', ');
    }
  }
}

/** Events before the first loaded attempt: before the job's first attempt, unless older events are not loaded. */
function preambleTitle(model: TimelineModel): string {
  return model.olderCount > 0 ? l10n.t('Before the first loaded attempt') : l10n.t('Before the first attempt');
}

/** "Attempt 2 of 3"; counted among the loaded ones while older events are not loaded. */
function attemptTitle(model: TimelineModel, attempt: Attempt, of: number): string {
  return model.olderCount > 0 ? l10n.t('Loaded attempt {0} of {1}', attempt.number, of) : attemptLabel(attempt, of);
}

function errorLine(error: { type: string | null; message: string | null }): string {
  return [error.type, error.message].filter(Boolean).join(': ');
}

export function renderRow(context: RowContext, row: TimelineRow): HTMLElement {
  switch (row.kind) {
    case 'preamble':
      return el('div', { class: 'group-row preamble' }, icon('inbox'), el('strong', { text: preambleTitle(context.model) }), el('span', { class: 'muted', text: `${row.count} event${row.count === 1 ? '' : 's'}` }));
    case 'attempt':
      return renderAttempt(context, row);
    case 'event':
      return renderEvent(context, row.index);
  }
}

const OUTCOME_ICONS = { running: 'loading', completed: 'pass', failed: 'error', timeout: 'watch', cancelled: 'circle-slash', interrupted: 'question' } as const;

function attemptDurationTitle(a: Attempt): string {
  if (a.outcome === 'running') return l10n.t('Run time of this attempt so far: from its start until now');
  return a.durationSource === 'reported' ? l10n.t('Run time of this attempt, as its outcome event reports it') : l10n.t('Run time of this attempt, from its start to its outcome');
}

function renderAttempt(context: RowContext, row: Extract<TimelineRow, { kind: 'attempt' }>): HTMLElement {
  const a = row.attempt;
  const elapsed = attemptElapsedMs(a, context.model.events, context.now());
  return el(
    'div',
    { class: ['group-row', 'attempt', `outcome-${a.outcome}`] },
    icon(OUTCOME_ICONS[a.outcome], a.outcome === 'running' ? 'codicon-modifier-spin' : undefined),
    el('strong', { text: attemptTitle(context.model, a, row.of) }),
    el('span', { class: 'outcome', text: outcomeLabel(a.outcome) }),
    a.worker ? el('span', { class: 'muted', text: `worker ${a.worker}${a.workerType ? ` (${a.workerType})` : ''}` }) : null,
    elapsed === null ? null : el('span', { class: 'muted attempt-duration', text: formatDuration(elapsed), attrs: { title: attemptDurationTitle(a) } }),
    a.error ? el('span', { class: 'attempt-error', text: errorLine(a.error) }) : null,
  );
}

function renderEvent(context: RowContext, index: number): HTMLElement {
  const { model } = context;
  const events = model.events;
  const event = events[index]!;
  const isOpen = model.isExpanded(index);
  const error = errorText(event);
  const previous = index > 0 ? events[index - 1]! : null;
  const gap = previous ? event.timestamp - previous.timestamp : NaN;
  const tone = toneFor(event.event_type, error !== null);

  const time = el('span', { class: 'ev-time mono', text: formatEventTime(event.timestamp, model.timeContext) });
  time.title = fullTimestamp(event.timestamp);
  const gapNode = el('span', { class: ['ev-gap', 'mono', gap < 0 ? 'negative' : null], text: previous ? formatGap(gap) : '' });
  if (previous) gapNode.title = l10n.t('Time since the previous event');

  const copy = button(context.copiedIndex() === index ? 'check' : 'copy', l10n.t('Copy event as JSON'), () => context.copy(index), { iconOnly: true, class: 'ev-copy' });
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
    event.worker_id ? contextChip('server-process', l10n.t('Worker'), event.worker_id, 'ev-context') : null,
    event.queue_name ? contextChip('list-flat', l10n.t('Queue'), event.queue_name, 'ev-context') : null,
    event.duration_ms !== null ? el('span', { class: 'ev-duration muted mono', text: formatDuration(event.duration_ms), attrs: { title: l10n.t('Duration this event reports') } }) : null,
    copy,
  );
  const node = el('div', { class: ['ev', tone, familyClass(event.event_type), isOpen ? 'open' : null] }, head);
  if (error) node.appendChild(el('div', { class: 'ev-error', text: error }));
  if (isOpen) node.appendChild(renderEventBody(context, event));
  return node;
}

function renderEventBody(context: RowContext, event: JobEvent): HTMLElement {
  const body = el('div', { class: 'ev-body' });
  const traceback = tracebackOf(event);
  if (traceback) append(body, section(l10n.t('Traceback'), context.details.traceback(traceback, event)));

  const fields = el('dl', { class: 'fields' });
  const field = (label: string, value: string | number | null | undefined, tooltip?: string) => {
    if (value === null || value === undefined || value === '') return;
    const dd = el('dd', { class: 'mono', text: String(value) });
    if (tooltip) dd.title = tooltip;
    append(fields, el('dt', { text: label }), dd);
  };
  const ms = (value: number | null) => (value === null ? null : formatDuration(value));
  field(l10n.t('Sequence'), event.nats_sequence);
  field(l10n.t('Subject'), event.nats_subject);
  field(l10n.t('Time'), fieldTime(event.timestamp, context.model.timeContext), fullTimestamp(event.timestamp));
  field(l10n.t('Worker'), event.worker_id);
  field(l10n.t('Worker type'), event.worker_type);
  field(l10n.t('Queue'), event.queue_name);
  field(l10n.t('Duration (reported)'), ms(event.duration_ms), event.duration_ms === null ? undefined : `${event.duration_ms} ms`);
  field(l10n.t('Memory'), event.memory_mb === null ? null : `${event.memory_mb} MB`);
  field('CPU time', ms(event.cpu_time_ms), event.cpu_time_ms === null ? undefined : `${event.cpu_time_ms} ms`);
  field(l10n.t('Error type'), event.error_type);
  field(l10n.t('Error message'), event.error_message);
  append(body, section(l10n.t('Fields'), fields));

  const details = { ...(event.details ?? {}) };
  if (traceback) {
    delete details.traceback;
    delete details.stack;
  }
  if (Object.keys(details).length > 0) append(body, section(l10n.t('Details'), renderJsonTree(details, { openDepth: 1 })));
  const tags = Object.entries(event.tags ?? {});
  if (tags.length > 0) {
    append(body, section(l10n.t('Tags'), el('div', { class: 'tags' }, ...tags.map(([k, v]) => el('span', { class: 'tag', text: `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}` })))));
  }
  if (event.metadata && Object.keys(event.metadata).length > 0) append(body, section(l10n.t('Metadata'), renderJsonTree(event.metadata, { openDepth: 1 })));
  return body;
}

/** An event's time in the expanded fields: as the list shows it, with the date; relative times get their clock time too. */
export function fieldTime(epochSeconds: number, context: TimeContext): string {
  const clock = formatEventTime(epochSeconds, { ...context, mode: context.mode === 'relative' ? 'local' : context.mode, withDate: true });
  return context.mode === 'relative' ? `${formatEventTime(epochSeconds, context)} · ${clock}` : clock;
}

function section(label: string, content: HTMLElement): HTMLElement {
  return el('section', { class: 'ev-section' }, el('h3', { text: label }), content);
}
