/**
 * Small declarative checks for request parameters: each names the field it looks at and the rule it
 * holds that field to, and returns the value typed, or throws a {@link ParamError} saying so.
 */

/** A request parameter that breaks a rule; becomes a JSON-RPC InvalidParams error. */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field || 'params'}: ${rule}`);
  }
}

export type Check<T> = (value: unknown, field: string) => T;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

export function fail(field: string, rule: string, value: unknown): never {
  throw new ParamError(field, `${rule} (got ${describeValue(value)})`);
}

export function string(rule: (text: string) => string | undefined = () => undefined, maxLength = 10_000): Check<string> {
  return (value, field) => {
    if (typeof value !== 'string') fail(field, 'must be a string', value);
    if (value.length > maxLength) fail(field, `must be at most ${maxLength} characters`, `${value.length} characters`);
    const problem = rule(value);
    if (problem !== undefined) fail(field, problem, value);
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[], what: string): Check<T> {
  const known = new Set<string>(values);
  return (value, field) => {
    if (typeof value !== 'string' || !known.has(value)) fail(field, `must be ${what}: ${values.join(', ')}`, value);
    return value as T;
  };
}

export function integer(min: number, max: number): Check<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(field, `must be an integer from ${min} to ${max}`, value);
    }
    return value;
  };
}

export function finite(min: number, max: number, unit: string): Check<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(field, `must be ${unit} from ${min} to ${max}`, value);
    return value;
  };
}

export function boolean(): Check<boolean> {
  return (value, field) => {
    if (typeof value !== 'boolean') fail(field, 'must be true or false', value);
    return value;
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, field) => (value === null ? null : check(value, field));
}

export function arrayOf<T>(check: Check<T>, maxItems: number): Check<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) fail(field, 'must be an array', value);
    if (value.length > maxItems) fail(field, `must have at most ${maxItems} items`, `${value.length} items`);
    return value.map((item, i) => check(item, `${field}[${i}]`));
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object whose values are whatever JSON allows (what msgpack and the stream carry). */
export function jsonObject(): Check<Record<string, unknown>> {
  return (value, field) => {
    if (!isRecord(value)) fail(field, 'must be an object', value);
    return value;
  };
}

export function recordOf<T>(check: Check<T>, maxKeys: number): Check<Record<string, T>> {
  return (value, field) => {
    if (!isRecord(value)) fail(field, 'must be an object', value);
    const entries = Object.entries(value);
    if (entries.length > maxKeys) fail(field, `must have at most ${maxKeys} keys`, `${entries.length} keys`);
    return Object.fromEntries(entries.map(([key, item]) => [key, check(item, `${field}.${key}`)]));
  };
}

type Shape = Record<string, Check<unknown>>;
type Checked<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };
/** Fields that may be absent: a missing or undefined value is left out. */
type Optional<S extends Shape, O extends Shape> = Checked<S> & Partial<Checked<O>>;

/**
 * An object with these fields and these optional ones; other fields are dropped, so nothing the
 * rules do not name reaches the backend.
 */
export function object<S extends Shape, O extends Shape = Record<never, never>>(required: S, optional?: O): Check<Optional<S, O>> {
  return (value, field) => {
    if (!isRecord(value)) fail(field, 'must be an object', value);
    const result: Record<string, unknown> = {};
    const at = (key: string): string => (field === '' ? key : `${field}.${key}`);
    for (const [key, check] of Object.entries(required)) {
      if (value[key] === undefined) throw new ParamError(at(key), 'is required');
      result[key] = check(value[key], at(key));
    }
    for (const [key, check] of Object.entries(optional ?? {})) {
      if (value[key] !== undefined) result[key] = check(value[key], at(key));
    }
    return result as Optional<S, O>;
  };
}

/** The first check that matches the object's `kind`, for tagged unions. */
export function byKind<T>(variants: Record<string, Check<T>>): Check<T> {
  const kinds = Object.keys(variants);
  return (value, field) => {
    if (!isRecord(value)) fail(field, 'must be an object', value);
    const variant = typeof value.kind === 'string' && Object.hasOwn(variants, value.kind) ? variants[value.kind] : undefined;
    if (!variant) fail(field === '' ? 'kind' : `${field}.kind`, `must be one of ${kinds.join(', ')}`, value.kind);
    return variant(value, field);
  };
}
