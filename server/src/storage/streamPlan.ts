/**
 * What `naq-events stream apply` (and the editor's "Review Stream Configuration") would change on a
 * stream: the difference between its configuration and the seed's limits, each change marked with the
 * rule it breaks when it can lose events. Pure: reading and writing the stream is `streamApply.ts`.
 */
import { DiscardPolicy, millis, StreamConfig } from 'nats';
import { coversPrefix, desiredStreamConfig, SEED_LIMITS, StreamLimits } from './streamConfig';

/** The settings apply compares and may change; everything else on the stream stays as it is. */
export type PlanField = 'subjects' | 'max_age' | 'max_msgs' | 'max_bytes' | 'max_msg_size' | 'duplicate_window' | 'allow_direct' | 'discard';

/** In the order they are shown. */
export const PLAN_FIELDS: readonly PlanField[] = ['subjects', 'max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window', 'allow_direct', 'discard'];

export interface FieldChange {
  field: PlanField;
  /** The current and the planned value, in words (`unlimited`, `7d`, `1 MiB`). */
  from: string;
  to: string;
  /** Why the change can lose or refuse events, so that it needs `--force`; undefined when it is safe. */
  forceRule?: string;
}

export interface StreamPlan {
  stream: string;
  /** `create`: the stream does not exist; `update`: it differs from the seed (see `conflicts`); `none`: nothing to change. */
  action: 'create' | 'update' | 'none';
  changes: FieldChange[];
  /** What would be sent: the whole configuration to create, or only the changed settings to update. */
  config: Partial<StreamConfig>;
  /** Why the plan cannot be applied, even with `--force` (the operator must change the stream). */
  conflicts: string[];
  /** Differences apply leaves alone, with why. */
  kept: string[];
}

/** Apply was asked for changes that need `--force`, or that cannot be made at all; nothing was changed. */
export class StreamPlanRefused extends Error {
  override name = 'StreamPlanRefused';
  /** The refusal, one line per reason. */
  readonly lines: readonly string[];
  constructor(
    readonly plan: StreamPlan,
    readonly refused: readonly FieldChange[],
  ) {
    const lines = [
      `stream ${plan.stream} was not changed:`,
      ...plan.conflicts.map((conflict) => `  ${conflict}`),
      ...refused.map((c) => `  ${c.field} ${c.from} → ${c.to} needs --force: ${c.forceRule}`),
    ];
    super(lines.join('\n'));
    this.lines = lines;
  }
}

const UNITS: [number, string][] = [
  [24 * 3600_000, 'd'],
  [3600_000, 'h'],
  [60_000, 'm'],
  [1000, 's'],
];

/** A duration given in nanoseconds, in the largest unit that divides it (`7d`, `90m`, `250ms`); 0 is `none`. */
export function formatDuration(ns: number | undefined, zero = 'none'): string {
  const ms = millis(ns ?? 0);
  if (ms <= 0) return zero;
  for (const [size, unit] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A byte count in the largest binary unit that divides it; negative is `unlimited`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || bytes <= 0) return 'unlimited';
  for (const [size, unit] of [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

export function formatCount(count: number | undefined): string {
  return count === undefined || count <= 0 ? 'unlimited' : String(count);
}

/** A limit where 0 or less means none, as JetStream reads max_age, max_msgs, max_bytes and max_msg_size. */
function limit(value: number | undefined): number {
  return value === undefined || value <= 0 ? Number.POSITIVE_INFINITY : value;
}

/** Whether every subject `filter` matches is under `prefix` (so `prefix.>` takes its place and loses nothing). */
function under(filter: string, prefix: string): boolean {
  return filter.startsWith(`${prefix}.`);
}

/** Whether some subject under `prefix` matches `filter`: JetStream refuses two overlapping subjects in one stream. */
function overlaps(filter: string, prefix: string): boolean {
  const have = filter.split('.');
  const want = prefix.split('.');
  for (let i = 0; i < want.length; i++) {
    if (i >= have.length) return false;
    if (have[i] === '>') return true;
    if (have[i] !== '*' && have[i] !== want[i]) return false;
  }
  return have.length > want.length;
}

/** The subjects the stream needs: its own, plus `prefix.>` when none covers it, which absorbs the ones under it. */
function planSubjects(current: readonly string[], prefix: string, changes: FieldChange[], conflicts: string[]): string[] | undefined {
  if (current.some((filter) => coversPrefix(filter, prefix))) return undefined;
  const needed = `${prefix}.>`;
  const clashing = current.filter((filter) => overlaps(filter, prefix) && !under(filter, prefix));
  if (clashing.length > 0) {
    conflicts.push(`subjects: ${needed} cannot be added next to ${clashing.join(', ')}, which overlap it without being under it; change the stream's subjects yourself`);
    return undefined;
  }
  const absorbed = current.filter((filter) => under(filter, prefix));
  const next = [...current.filter((filter) => !absorbed.includes(filter)), needed];
  const how = absorbed.length > 0 ? ` (${needed} takes the place of ${absorbed.join(', ')}, which it covers)` : '';
  changes.push({ field: 'subjects', from: current.join(', ') || 'none', to: `${next.join(', ')}${how}` });
  return next;
}

/**
 * The plan to bring `current` (undefined: no such stream) to the seed's limits under `prefix`. Raising a
 * limit, adding a subject or turning direct get on is safe; shortening or lowering a limit deletes or
 * refuses events and needs `--force`. Subjects are never dropped: the operator's extra subjects stay.
 */
export function planStream(current: StreamConfig | undefined, name: string, prefix: string, limits: StreamLimits = SEED_LIMITS): StreamPlan {
  const desired = desiredStreamConfig(name, prefix, limits);
  if (current === undefined) {
    const changes = PLAN_FIELDS.map((field): FieldChange => ({ field, from: 'none', to: describeSetting(desired as StreamConfig, field) }));
    return { stream: name, action: 'create', changes, config: desired, conflicts: [], kept: [] };
  }

  const changes: FieldChange[] = [];
  const conflicts: string[] = [];
  const kept: string[] = [];
  const config: Partial<StreamConfig> = {};

  const subjects = planSubjects(current.subjects ?? [], prefix, changes, conflicts);
  if (subjects) config.subjects = subjects;

  const change = (field: PlanField): FieldChange => ({ field, from: describeSetting(current, field), to: describeSetting(desired as StreamConfig, field) });
  const limitChange = (field: 'max_age' | 'max_msgs' | 'max_bytes' | 'max_msg_size', rule: (to: string) => string): void => {
    if (limit(current[field]) === limit(desired[field])) return;
    const planned = change(field);
    if (limit(desired[field]) < limit(current[field])) planned.forceRule = rule(planned.to);
    changes.push(planned);
    config[field] = desired[field];
  };
  limitChange('max_age', (to) => `shortening max_age deletes every event older than ${to} at once`);
  limitChange('max_msgs', (to) => `lowering max_msgs deletes the oldest events beyond ${to}`);
  limitChange('max_bytes', (to) => `lowering max_bytes deletes the oldest events beyond ${to}`);
  limitChange('max_msg_size', (to) => `lowering max_msg_size refuses every event larger than ${to}`);

  const haveWindow = current.duplicate_window ?? 0;
  const wantWindow = desired.duplicate_window ?? 0;
  if (haveWindow !== wantWindow) {
    const planned = change('duplicate_window');
    if (wantWindow < haveWindow) {
      planned.forceRule = `shortening the duplicate window stores twice a resend that comes later than ${planned.to} (a running logger counts on the window it read)`;
    }
    changes.push(planned);
    config.duplicate_window = wantWindow;
  }

  if (current.allow_direct !== true) {
    changes.push(change('allow_direct'));
    config.allow_direct = true;
  }

  if (current.discard === DiscardPolicy.New) {
    changes.push({ ...change('discard'), forceRule: 'discard old deletes the oldest events when the stream is full, where discard new refuses new ones' });
    config.discard = DiscardPolicy.Old;
  }

  if (current.storage !== desired.storage) kept.push(`storage is ${current.storage}, the seed's is ${desired.storage}: a stream's storage cannot be changed in place`);
  if (current.retention !== desired.retention) {
    kept.push(`retention is ${current.retention}, the seed's is ${desired.retention}: a stream's retention cannot be changed in place`);
  }
  const extra = (current.subjects ?? []).filter((filter) => !coversPrefix(filter, prefix) && !under(filter, prefix));
  if (extra.length > 0) kept.push(`subjects ${extra.join(', ')} are the operator's and stay`);

  return { stream: name, action: changes.length > 0 || conflicts.length > 0 ? 'update' : 'none', changes, config, conflicts, kept };
}

/** The changes that need `--force`. */
export function forcedChanges(plan: StreamPlan): FieldChange[] {
  return plan.changes.filter((change) => change.forceRule !== undefined);
}

/** Refuses a plan that cannot be applied, or that needs `--force` when it was not given. */
export function checkApplicable(plan: StreamPlan, force: boolean): void {
  const refused = force ? [] : forcedChanges(plan);
  if (plan.conflicts.length > 0 || refused.length > 0) throw new StreamPlanRefused(plan, refused);
}

/** The plan in lines, for the CLI and the editor's review: what changes, what needs `--force`, what stays. */
export function describePlan(plan: StreamPlan): string[] {
  const lines: string[] = [];
  if (plan.action === 'create') lines.push(`stream ${plan.stream} does not exist; apply creates it with the seed's limits:`);
  else if (plan.action === 'none') lines.push(`stream ${plan.stream} has the seed's limits and NAQ's subjects; nothing to change`);
  else {
    const cannot = plan.conflicts.length > 0 ? `, and ${plan.conflicts.length} it cannot make` : '';
    lines.push(`stream ${plan.stream}: ${plan.changes.length} ${plan.changes.length === 1 ? 'change' : 'changes'}${cannot}`);
  }
  const width = Math.max(0, ...plan.changes.map((c) => c.field.length));
  for (const change of plan.changes) {
    const arrow = plan.action === 'create' ? change.to : `${change.from} → ${change.to}`;
    lines.push(`  ${change.field.padEnd(width)}  ${arrow}${change.forceRule ? `   [needs --force: ${change.forceRule}]` : ''}`);
  }
  for (const conflict of plan.conflicts) lines.push(`  cannot apply: ${conflict}`);
  for (const note of plan.kept) lines.push(`  kept: ${note}`);
  return lines;
}

/** The stream's current value of a setting apply may change, in the same words as the plan. */
export function describeSetting(config: StreamConfig, field: PlanField): string {
  switch (field) {
    case 'subjects':
      return (config.subjects ?? []).join(', ') || 'none';
    case 'max_age':
      return formatDuration(config.max_age, 'unlimited');
    case 'max_msgs':
      return formatCount(config.max_msgs);
    case 'max_bytes':
    case 'max_msg_size':
      return formatBytes(config[field]);
    case 'duplicate_window':
      return formatDuration(config.duplicate_window);
    case 'allow_direct':
      return String(config.allow_direct === true);
    case 'discard':
      return String(config.discard);
  }
}

/** Settings worth showing besides the ones apply compares. */
export function describeConfig(config: StreamConfig): [string, string][] {
  return [
    ...PLAN_FIELDS.map((field): [string, string] => [field, describeSetting(config, field)]),
    ['storage', String(config.storage)],
    ['retention', String(config.retention)],
    ['replicas', String(config.num_replicas)],
    ['max_msgs_per_subject', formatCount(config.max_msgs_per_subject)],
  ];
}
