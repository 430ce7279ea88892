/** Why an id cannot be pasted into a subject: named in the error so the user can fix it. */
export type TokenRule = 'empty' | 'dot' | 'wildcard' | 'whitespace' | 'control' | 'too-long' | 'reserved';

function ruleText(rule: TokenRule, id: string): string {
  switch (rule) {
    case 'empty':
      return 'must not be empty';
    case 'dot':
      return "must not contain '.' (it separates subject tokens)";
    case 'wildcard':
      return "must not contain '*' or '>' (they are subject wildcards)";
    case 'whitespace':
      return 'must not contain whitespace';
    case 'control':
      return 'must not contain control characters';
    case 'too-long':
      return `must be at most ${MAX_TOKEN_LENGTH} characters (got ${id.length})`;
    case 'reserved':
      return 'is reserved for the aggregation subjects';
  }
}

/** Subjects stay well under the server's limits; ids longer than this are refused, not truncated. */
export const MAX_TOKEN_LENGTH = 256;

export type IdKind = 'job id' | 'worker id' | 'queue name' | 'event type' | 'schedule name' | 'retry count';

export class InvalidIdError extends Error {
  constructor(
    readonly kind: IdKind,
    readonly id: string,
    readonly rule: TokenRule,
  ) {
    super(`invalid ${kind} ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)}: ${ruleText(rule, id)}`);
    this.name = 'InvalidIdError';
  }
}

// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f\u007f-\u009f]/;
const whitespace = /\s/u;

export function tokenProblem(id: string): TokenRule | undefined {
  if (id.length === 0) return 'empty';
  if (id.length > MAX_TOKEN_LENGTH) return 'too-long';
  if (id.includes('.')) return 'dot';
  if (id.includes('*') || id.includes('>')) return 'wildcard';
  if (control.test(id)) return 'control';
  if (whitespace.test(id)) return 'whitespace';
  return undefined;
}

/** Throws an {@link InvalidIdError} naming the id and the broken rule. */
export function checkToken(kind: IdKind, id: string): string {
  const rule = tokenProblem(id);
  if (rule) throw new InvalidIdError(kind, id, rule);
  return id;
}

/** Job ids share the token after the prefix with the seed's `global` aggregation subjects. */
export const RESERVED_JOB_IDS: ReadonlySet<string> = new Set(['global']);

export function checkJobId(id: string): string {
  checkToken('job id', id);
  if (RESERVED_JOB_IDS.has(id)) throw new InvalidIdError('job id', id, 'reserved');
  return id;
}
