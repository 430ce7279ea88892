/**
 * The one declaration of what the extension and its webviews say to each other.
 *
 * Every message, both ways, is an envelope `{ type, body }`. Messages a webview sends are declared
 * as small specs (`TimelineToExtension`, `TailToExtension`, `StatsToExtension`): the TypeScript
 * types are derived from them, and `parseWebviewMessage` checks a raw message against them, so the
 * extension never acts on a message it did not declare. Messages the extension sends are plain types:
 * the webview trusts its extension but still renders every value as text.
 *
 * This file is bundled into the browser scripts too: it must not import `vscode` or Node modules.
 */
import type { JobStats, MetricsResult } from '../../../server/src/protocol/protocol';
import type { JobEvent } from '../../../server/src/shared/events';
import type { DecodeProblem, FailureCall, TailParams, Timeline } from '../../../server/src/protocol/protocol';

// ---- Checks: tiny type guards a spec is built from ----

export type Check<T> = (value: unknown) => value is T;

/** A non-negative safe integer (an index, a count, a sequence). */
export const count: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A string of at most `max` characters (UTF-16 units). */
export function text(max: number, min = 0): Check<string> {
  return (value): value is string => typeof value === 'string' && value.length >= min && value.length <= max;
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value): value is T | null => value === null || check(value);
}

export function oneOf<const T extends readonly string[]>(...values: T): Check<T[number]> {
  return (value): value is T[number] => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function listOf<T>(check: Check<T>, max: number): Check<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.length <= max && value.every(check);
}

export const bool: Check<boolean> = (value): value is boolean => typeof value === 'boolean';

/** What a job id looks like on the wire: one NATS subject token at most this long. */
export const jobId = text(512, 1);

// ---- Specs ----

/** A message body: field name → check. */
export type BodySpec = Readonly<Record<string, Check<unknown>>>;
/** Message type → body spec. */
export type MessageSpec = Readonly<Record<string, BodySpec>>;

type BodyOf<S extends BodySpec> = { [K in keyof S]: S[K] extends Check<infer T> ? T : never };

/** The union of envelopes a spec allows. */
export type MessageOf<M extends MessageSpec> = { [K in keyof M & string]: { type: K; body: BodyOf<M[K]> } }[keyof M & string];

/** An envelope the extension sends. */
export interface Envelope<K extends string, B> {
  type: K;
  body: B;
}

/** Sent by every webview script: uncaught errors, so they reach the extension's log. */
const scriptError = { message: text(4000) } as const;

export const TimeModes = ['local', 'relative', 'utc'] as const;
export type TimeMode = (typeof TimeModes)[number];

/** Timeline webview → extension. */
export const TimelineToExtension = {
  /** The script is up; send it what it should show. Sent after every (re)load of the page. */
  ready: {},
  /** Re-read the timeline now. */
  refresh: {},
  /** Read the page of events before the first one shown (scrolled to the top, or "Load older"). */
  loadOlder: {},
  /** The panel is used or pinned: it stops being the preview the next open replaces. */
  keep: {},
  /** Put `events[index]` on the clipboard as JSON; `seq` must still match (the list may have changed). */
  copyEvent: { index: count, seq: nullable(count) },
  /** The user changed the time display; the extension remembers it for new panels. */
  timeMode: { mode: oneOf(...TimeModes) },
  /** Open the workspace file that a traceback frame (`file`, 1-based `line`, as printed) maps to. */
  openFrame: { file: text(4096, 1), line: count },
  scriptError,
} as const satisfies MessageSpec;

/** Tail webview → extension. */
export const TailToExtension = {
  ready: {},
  /** The page has taken the `lines` message numbered `batch`: the extension may send the next one. */
  received: { batch: count },
  /** Drop every line the extension keeps for this tail (so a reload does not bring them back). */
  clear: {},
  /** Open this job's timeline (`naq.openTimeline`). */
  openTimeline: { jobId },
  /** Stop the running tail; keep the panel. */
  stop: {},
  /** Start the tail again with the parameters it was last started with. */
  restart: {},
  scriptError,
} as const satisfies MessageSpec;

/** The dashboard's ranges: the last 15 min, 1 h, 24 h or 7 days up to now (live), or a custom one. */
export const StatsRangePresets = ['15m', '1h', '24h', '7d', 'custom'] as const;
export type StatsRangePreset = (typeof StatsRangePresets)[number];
export const StatsGroupBys = ['queue', 'worker'] as const;
export type StatsGroupBy = (typeof StatsGroupBys)[number];

/** Epoch seconds as the dashboard sends them: whole, after 2000-01-01, before 2100. */
export const epochSeconds: Check<number> = (value): value is number => count(value) && value >= 946_684_800 && value < 4_102_444_800;

/** Stats webview → extension. */
export const StatsToExtension = {
  ready: {},
  refresh: {},
  /** Show this range; `from`/`to` (epoch seconds) only for `custom`, null otherwise. */
  range: { preset: oneOf(...StatsRangePresets), from: nullable(epochSeconds), to: nullable(epochSeconds) },
  /** The per-group table groups by queue or by worker. */
  groupBy: { groupBy: oneOf(...StatsGroupBys) },
  /** A range brushed on a chart: filter the Jobs view to the jobs active in [from, to). */
  filterJobs: { from: epochSeconds, to: epochSeconds },
  /** Clear the Jobs view's time filter. */
  clearJobsFilter: {},
  /** Save the series shown as CSV (the extension asks where). */
  exportCsv: {},
  scriptError,
} as const satisfies MessageSpec;

export type TimelineMessage = MessageOf<typeof TimelineToExtension>;
export type TailMessage = MessageOf<typeof TailToExtension>;
export type StatsMessage = MessageOf<typeof StatsToExtension>;

export type ParseResult<M extends MessageSpec> = { ok: true; message: MessageOf<M> } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Checks a raw message from a webview against a spec: an envelope with exactly `type` and `body`, a
 * declared type, and a body with exactly the declared fields, each passing its check.
 */
export function parseWebviewMessage<M extends MessageSpec>(spec: M, raw: unknown): ParseResult<M> {
  if (!isPlainObject(raw)) return { ok: false, reason: 'not an object' };
  const keys = Object.keys(raw);
  if (keys.length !== 2 || !('type' in raw) || !('body' in raw)) return { ok: false, reason: 'not a {type, body} envelope' };
  const type = raw.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(spec, type)) {
    return { ok: false, reason: `unknown message type ${describe(type)}` };
  }
  const bodySpec = spec[type] as BodySpec;
  const body = raw.body;
  if (!isPlainObject(body)) return { ok: false, reason: `${type}: body is not an object` };
  for (const key of Object.keys(body)) {
    if (!Object.prototype.hasOwnProperty.call(bodySpec, key)) return { ok: false, reason: `${type}: unexpected field ${describe(key)}` };
  }
  for (const [key, check] of Object.entries(bodySpec)) {
    if (!check(body[key])) return { ok: false, reason: `${type}: bad or missing field '${key}'` };
  }
  return { ok: true, message: { type, body } as MessageOf<M> };
}

function describe(value: unknown): string {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : typeof value;
  return shown;
}

// ---- Extension → webview ----

export type ToTimeline =
  | Envelope<'loading', { jobId: string }>
  /** The newest page of the timeline; `olderCount` events are older than its first. `updatedAt`: epoch ms of the read. */
  | Envelope<'timeline', { timeline: ShownTimeline; olderCount: number; updatedAt: number }>
  /**
   * A live update that only added events: `events` go after the first `from` the page already has;
   * the rest of the timeline is replaced. A page holding a different count asks again with `ready`.
   */
  | Envelope<'append', { from: number; events: JobEvent[]; rest: Omit<ShownTimeline, 'events'>; updatedAt: number }>
  /**
   * An older page: `events` go before the first event the page has, whose sequence is `before`;
   * `olderCount` events remain older still. A page whose first event differs asks again with `ready`.
   */
  | Envelope<'older', { before: number; events: JobEvent[]; olderCount: number; problems: ShownTimeline['problems'] }>
  /** Reading an older page failed. */
  | Envelope<'olderError', { message: string }>
  | Envelope<'error', { jobId: string; message: string }>
  | Envelope<'copied', { index: number }>
  /** The failed job's call from NAQ's failed-jobs stream (backend `failures/job`); null when none is known. */
  | Envelope<'call', { jobId: string; call: FailureCall | null }>
  /**
   * Which job the panel shows and whether it is the preview; a page whose saved state is of another
   * job (the preview went on to the next one) starts afresh with `timeMode`.
   */
  | Envelope<'init', { jobId: string; timeMode: TimeMode; preview: boolean }>
  /** The panel was kept (pinned): no longer the preview. */
  | Envelope<'preview', { preview: boolean }>;

/** One line of a tail, as the extension keeps and sends it: small, flat, already decided. */
export interface TailLine {
  /** Line number within this tail panel, ascending, never reused. */
  n: number;
  kind: 'event' | 'problem' | 'skipped';
  /** Epoch seconds (event timestamp); for problems and skip markers, when the extension got them. */
  time: number | null;
  seq: number | null;
  /** Event type; for a problem the word 'decode-error'; for a skip marker 'skipped'. */
  type: string;
  failure: boolean;
  jobId: string | null;
  worker: string | null;
  queue: string | null;
  /** `ErrorType: message` when the event carries an error. */
  error: string | null;
  message: string | null;
  /** Skip markers: how many events the rate limit left out. */
  skipped?: number;
}

/**
 * A tail's own state: `live` (events arrive), `starting`, `reconnecting` (the backend lost its
 * connection; the tail resumes by itself once it is back), `stopped` (by the user or a failure).
 */
export type TailRunState = 'starting' | 'live' | 'reconnecting' | 'stopped';

export interface TailStatus {
  state: TailRunState;
  /** What the tail shows, e.g. a subject pattern or "failures only (…)". */
  pattern: string;
  params: TailParams;
  /** Events left out by the rate limit since the tail started. */
  skipped: number;
  /** Why the tail is reconnecting or stopped; null when stopped by the user. */
  reason: string | null;
}

export type ToTail =
  /** Everything the extension holds: sent on `ready` and when a new tail replaces the old one. */
  | Envelope<'reset', { lines: TailLine[]; status: TailStatus; cap: number }>
  /** `batch` numbers the message, for the page's `received` (one `lines` message is in flight at a time). */
  | Envelope<'lines', { lines: TailLine[]; skipped: number; batch: number }>
  | Envelope<'status', { status: TailStatus }>;

/** The range a dashboard shows, as the extension decided it. */
export interface ShownRange {
  preset: StatsRangePreset;
  /** Epoch seconds, `to` exclusive; `step` is the seconds per point asked for (the answer's may be coarser). */
  from: number;
  to: number;
  step: number;
  /** Follows new events: the range ends now and slides. */
  live: boolean;
}

export type ToStats =
  | Envelope<'loading', Record<string, never>>
  | Envelope<'stats', { stats: JobStats; updatedAt: number }>
  | Envelope<'error', { message: string }>
  /** The charts' series (`overall`, not grouped) and the table's totals (`groups`, grouped by `groupBy`) over `range`. */
  | Envelope<'metrics', { range: ShownRange; overall: MetricsResult; groups: MetricsResult; groupBy: StatsGroupBy; updatedAt: number }>
  | Envelope<'metricsError', { range: ShownRange; message: string }>
  /** What the Jobs view is filtered to now (null: no time filter), after a brush or a clear. */
  | Envelope<'jobsFilter', { from: number | null; to: number | null }>;

export type { DecodeProblem, JobStats, TailParams, Timeline };

/** What a timeline page shows: the loaded part of a job's timeline (paging fields travel beside it). */
export type ShownTimeline = Pick<Timeline, 'jobId' | 'job' | 'events' | 'problems' | 'source'>;

// ---- Saved webview state (getState/setState), validated again when a serializer restores a panel ----

export interface TimelineViewState {
  jobId: string;
  timeMode: TimeMode;
  /** Keys of expanded events. */
  expanded: string[];
  /** Index of the active row, and the key of the event at the top of the viewport. */
  active: number;
  anchorKey: string | null;
}

export function isTimelineViewState(value: unknown): value is TimelineViewState {
  if (!isPlainObject(value)) return false;
  return (
    jobId(value.jobId) &&
    oneOf(...TimeModes)(value.timeMode) &&
    listOf(text(200), 10_000)(value.expanded) &&
    count(value.active) &&
    nullable(text(200))(value.anchorKey)
  );
}

export interface TailViewState {
  filter: string;
  /** `n` of the last line shown when the user paused; null while running. */
  pausedAt: number | null;
  /** What the panel tails, so a reload restarts it. */
  params?: TailParams;
}

export interface StatsViewState {
  showAll: { workers: boolean; queues: boolean };
  /** The range chosen, kept across reloads (custom: its bounds too). */
  preset?: StatsRangePreset;
  custom?: { from: number; to: number } | null;
  groupBy?: StatsGroupBy;
}
