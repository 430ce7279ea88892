import type { FailureSettings, FailureSeverity } from '../protocol/failures';

export interface EffectiveFailureSettings {
  readonly pathMappings: readonly { remote: string; local: string }[];
  readonly severity: FailureSeverity;
  readonly windowHours: number;
  readonly resultBucket?: string;
}

export const DEFAULT_FAILURE_SETTINGS: EffectiveFailureSettings = { pathMappings: [], severity: 'warning', windowHours: 24 };

const SEVERITIES: readonly FailureSeverity[] = ['error', 'warning', 'information', 'hint'];

/**
 * Settings from `initializationOptions.failures` or `settings.naq.failures` (with `settings.naq.pathMappings`).
 * A field that breaks its rule keeps its default and is reported by name; the others still apply.
 */
export function readFailureSettings(raw: unknown, extraMappings?: unknown): { settings: EffectiveFailureSettings; problems: string[] } {
  const problems: string[] = [];
  const input = (raw && typeof raw === 'object' ? raw : {}) as Record<keyof FailureSettings, unknown>;
  const settings: { -readonly [K in keyof EffectiveFailureSettings]: EffectiveFailureSettings[K] } = { ...DEFAULT_FAILURE_SETTINGS };
  const mappings = input.pathMappings ?? extraMappings;
  if (mappings !== undefined) {
    const valid = Array.isArray(mappings) && mappings.every((entry) => entry && typeof entry.remote === 'string' && entry.remote !== '' && typeof entry.local === 'string' && entry.local !== '');
    if (valid) settings.pathMappings = (mappings as { remote: string; local: string }[]).map(({ remote, local }) => ({ remote, local }));
    else problems.push('naq.pathMappings must be a list of { "remote": non-empty string, "local": non-empty string }');
  }
  if (input.severity !== undefined) {
    if (SEVERITIES.includes(input.severity as FailureSeverity)) settings.severity = input.severity as FailureSeverity;
    else problems.push(`naq.failures.severity must be one of ${SEVERITIES.join(', ')}`);
  }
  if (input.windowHours !== undefined) {
    if (typeof input.windowHours === 'number' && Number.isFinite(input.windowHours) && input.windowHours > 0) settings.windowHours = input.windowHours;
    else problems.push('naq.failures.windowHours must be a number of hours above 0');
  }
  if (input.resultBucket !== undefined && input.resultBucket !== '') {
    if (typeof input.resultBucket === 'string' && /^[-\w]{1,255}$/.test(input.resultBucket)) settings.resultBucket = input.resultBucket;
    else problems.push('naq.failures.resultBucket must be a KV bucket name (letters, digits, - and _)');
  }
  return { settings, problems };
}
