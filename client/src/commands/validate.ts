/** Input box validation, with the same rules the backend applies to subjects. */
import { tailPatternProblem as streamPatternProblem } from '../../../server/src/shared/subjects';
import { InvalidIdError, RESERVED_JOB_IDS, tokenProblem, type IdKind } from '../../../server/src/shared/subjects';

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
 * A tail pattern as typed: empty means "every failure"; otherwise a NATS subject pattern inside the
 * stream's subjects (`prefix.>`), with the position of the problem so the user can find it. Checked
 * in the input box, so a pattern the backend would refuse never replaces a working tail.
 */
export function tailPatternProblem(value: string, prefix: string): string | undefined {
  return value === '' ? undefined : streamPatternProblem(prefix, value);
}
