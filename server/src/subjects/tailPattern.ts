/**
 * The one rule for a tail's subject pattern, applied by the backend (`tail/start`) and by the
 * editor's input box before anything is replaced. Pure: no I/O, imported by the client.
 */
import { patternProblem, subjectMatches } from './subject';

/** Why `pattern` cannot be tailed in a stream whose subjects are `${prefix}.>`, or undefined when it can. */
export function tailPatternProblem(prefix: string, pattern: string): string | undefined {
  const problem = patternProblem(pattern);
  if (problem) return `${problem.reason} (at character ${problem.index + 1})`;
  if (!pattern.startsWith(`${prefix}.`) && !subjectMatches(pattern, `${prefix}.job.type`)) {
    return `outside the stream's subjects ${prefix}.> (start the pattern with "${prefix}.")`;
  }
  return undefined;
}
