/** Input box validation, with the same rules the backend applies to subjects. */
import { patternProblem } from '../../../server/src/subjects/subject';
import { InvalidIdError, RESERVED_JOB_IDS, tokenProblem, type IdKind } from '../../../server/src/subjects/tokens';

/** Why `value` cannot be an id of this kind, or undefined when it can. */
export function idProblem(kind: IdKind, value: string): string | undefined {
  const rule = tokenProblem(value);
  if (rule) return new InvalidIdError(kind, value, rule).message;
  if (kind === 'job id' && RESERVED_JOB_IDS.has(value)) return new InvalidIdError(kind, value, 'reserved').message;
  return undefined;
}

/** For optional ids: empty is fine. */
export function optionalIdProblem(kind: IdKind, value: string): string | undefined {
  return value === '' ? undefined : idProblem(kind, value);
}

/**
 * A tail pattern as typed: empty means "every failure"; otherwise a NATS subject pattern, with
 * the position of the problem so the user can find it.
 */
export function tailPatternProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const problem = patternProblem(value);
  if (!problem) return undefined;
  return `${problem.reason} (at character ${problem.index + 1})`;
}
