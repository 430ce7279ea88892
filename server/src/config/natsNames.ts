/**
 * Checks for the names configuration feeds into NATS: stream names, subject prefixes, JetStream
 * domains. Each returns `undefined` when the value is fine, else the reason it is not.
 */

const MAX_NAME_LENGTH = 255;

/** Whitespace or an ASCII control character anywhere in the value. */
function hasSpaceOrControl(value: string): boolean {
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || /\s/.test(ch)) return true;
  }
  return false;
}

/** A JetStream stream (or consumer) name: no whitespace, `.`, `*`, `>`, path separators, at most 255 characters. */
export function streamNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (hasSpaceOrControl(name)) return 'it contains whitespace or control characters';
  const bad = /[.*>/\\]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  return undefined;
}

/** One subject token: non-empty, no whitespace, no wildcard. */
export function subjectTokenProblem(token: string): string | undefined {
  if (token === '') return 'it is empty';
  if (hasSpaceOrControl(token)) return 'it contains whitespace or control characters';
  if (token.includes('.')) return 'it contains "."';
  if (token.includes('*') || token.includes('>')) return 'it contains a wildcard ("*" or ">")';
  return undefined;
}

/** A literal subject (or subject prefix): dot-separated tokens, none empty, no wildcards, no whitespace. */
export function literalSubjectProblem(subject: string): string | undefined {
  if (subject === '') return 'it is empty';
  if (hasSpaceOrControl(subject)) return 'it contains whitespace or control characters';
  if (subject.startsWith('.') || subject.endsWith('.') || subject.includes('..')) {
    return 'it has an empty token (leading, trailing or doubled ".")';
  }
  for (const token of subject.split('.')) {
    if (token.includes('*') || token.includes('>')) return `token "${token}" contains a wildcard character ("*" or ">")`;
  }
  return undefined;
}
