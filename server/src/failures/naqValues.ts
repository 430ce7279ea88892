/**
 * Reads the values NAQ stores next to its events: the result bucket's `serialize_result` dict and the failed-jobs
 * stream's dict, pickled (the default) or JSON. A pickle is parsed by pickleparser, never executed: every global it
 * names becomes an opaque object, dictionaries become Maps (no `__proto__` key reaches an object), size bounded.
 */
import { Parser } from 'pickleparser';

/** NAQ's values are a few KB; a traceback of a deep recursion can be a few hundred. */
export const MAX_VALUE_BYTES = 4 * 1024 * 1024;

export interface NaqResultValue {
  readonly status?: string;
  readonly error?: string;
  readonly traceback?: string;
}

export interface NaqFailedJobValue extends NaqResultValue {
  readonly jobId?: string;
  readonly queueName?: string;
  readonly functionName?: string;
  readonly argsRepr?: string;
  readonly kwargsRepr?: string;
}

export class NaqValueError extends Error {}

const PICKLE_PROTO = 0x80;

/** A Python dict of the value, keyed by its string keys; throws a NaqValueError naming the rule it broke. */
function decodeDict(bytes: Uint8Array, what: string): Map<string, unknown> {
  if (bytes.length > MAX_VALUE_BYTES) {
    throw new NaqValueError(`${what}: ${bytes.length} bytes exceeds the ${MAX_VALUE_BYTES}-byte limit`);
  }
  let decoded: unknown;
  if (bytes[0] === PICKLE_PROTO) {
    try {
      decoded = new Parser({ unpicklingTypeOfDictionary: 'Map', unpicklingTypeOfSet: 'array' }).parse(bytes);
    } catch (error) {
      throw new NaqValueError(`${what}: not a readable pickle (${(error as Error).message})`);
    }
  } else {
    try {
      decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new NaqValueError(`${what}: neither a pickle (first byte 0x80) nor JSON (${(error as Error).message})`);
    }
    if (decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded)) {
      decoded = new Map(Object.entries(decoded));
    }
  }
  if (!(decoded instanceof Map)) {
    throw new NaqValueError(`${what}: must be a dict, got ${describe(decoded)}`);
  }
  return decoded as Map<string, unknown>;
}

function describe(value: unknown): string {
  return value === null ? 'None' : Array.isArray(value) ? 'a list' : typeof value;
}

function text(dict: Map<string, unknown>, key: string): string | undefined {
  const value = dict.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** Opaque objects that pickleparser made for the globals a pickle names carry the name and their arguments. */
interface Opaque {
  readonly __module__?: string;
  readonly __name__?: string;
  readonly args?: readonly unknown[];
}

/** A status stored as a string, or as an Enum member (pickled as `getattr(JOB_STATUS, 'FAILED')`). */
function status(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  const opaque = value as Opaque | null;
  if (opaque && typeof opaque === 'object' && opaque.__module__ === 'builtins' && opaque.__name__ === 'getattr' && typeof opaque.args?.[1] === 'string') {
    return opaque.args[1].toLowerCase();
  }
  return undefined;
}

/** A value of NAQ's result bucket (key = job id). */
export function decodeResultValue(bytes: Uint8Array): NaqResultValue {
  const dict = decodeDict(bytes, 'result value');
  return { status: status(dict.get('status')), error: text(dict, 'error'), traceback: text(dict, 'traceback') };
}

/** A message of NAQ's failed-jobs stream (`naq.failed.<queue>`). */
export function decodeFailedJobValue(bytes: Uint8Array): NaqFailedJobValue {
  const dict = decodeDict(bytes, 'failed job');
  return {
    jobId: text(dict, 'job_id'),
    queueName: text(dict, 'queue_name'),
    functionName: text(dict, 'function_str'),
    argsRepr: text(dict, 'args_repr'),
    kwargsRepr: text(dict, 'kwargs_repr'),
    error: text(dict, 'error'),
    traceback: text(dict, 'traceback'),
  };
}
