/**
 * Saved emit templates: a workspace file (`.naq/emit.json` or `*.naq.json`) holding a JSON array of
 * templates, each sent with a "Send" CodeLens above it. A template is either one event or a sample
 * lifecycle:
 *
 *   [
 *     { "name": "Payment fails", "lifecycle": "failure-with-retries", "jobId": "pay-1", "queue": "billing" },
 *     { "name": "One ValueError", "event": { "job_id": "job-7", "event_type": "failed", "error_type": "ValueError", "error_message": "boom" } }
 *   ]
 *
 * Pure: no `vscode` import, unit-tested.
 */
import * as l10n from '@vscode/l10n';
import type { JobEventInit } from '../../../server/src/shared/events';
import { SAMPLE_SCENARIOS, type SampleScenario } from '../../../server/src/shared/samples';
import { idProblem, optionalIdProblem } from './validate';

export type EmitTemplate =
  | { name: string; kind: 'event'; event: JobEventInit }
  | { name: string; kind: 'lifecycle'; scenario: SampleScenario; jobId?: string; queue?: string; worker?: string };

/** One entry of the file: where it starts (a character offset) and the template, or why it is not one. */
export type TemplateEntry = { offset: number; template: EmitTemplate } | { offset: number; problem: string };

export type TemplateFile = { ok: true; entries: TemplateEntry[] } | { ok: false; problem: string };

/**
 * Offsets of the values in a top-level JSON array, in order. Assumes JSON that `JSON.parse` accepted:
 * it only skips strings and counts brackets.
 */
function elementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (depth === 1 && expectValue && !/\s/.test(c)) {
      offsets.push(i);
      expectValue = false;
    }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectValue = true;
    }
  }
  return offsets;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalId(value: unknown, field: string, kind: 'job id' | 'queue name' | 'worker id'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(l10n.t('{0}: must be a string', field));
  const problem = optionalIdProblem(kind, value);
  if (problem) throw new Error(`${field}: ${problem}`);
  return value || undefined;
}

/** Checks one template; throws an Error naming the field and the rule. */
export function checkTemplate(value: unknown): EmitTemplate {
  if (!isObject(value)) throw new Error(l10n.t('a template must be an object with "name" and either "event" or "lifecycle"'));
  if (typeof value.name !== 'string' || value.name.trim() === '') throw new Error(l10n.t('{0}: must be a non-empty string', 'name'));
  const name = value.name;
  if ((value.event === undefined) === (value.lifecycle === undefined)) {
    throw new Error(
      value.event === undefined
        ? l10n.t('{0}: give either "event" or "lifecycle", not neither', name)
        : l10n.t('{0}: give either "event" or "lifecycle", not both', name),
    );
  }
  if (value.lifecycle !== undefined) {
    if (typeof value.lifecycle !== 'string' || !(SAMPLE_SCENARIOS as readonly string[]).includes(value.lifecycle)) {
      throw new Error(l10n.t('{0}: must be one of {1}', `${name}: lifecycle`, SAMPLE_SCENARIOS.join(', ')));
    }
    const template: EmitTemplate = { name, kind: 'lifecycle', scenario: value.lifecycle as SampleScenario };
    const jobId = optionalId(value.jobId, `${name}: jobId`, 'job id');
    const queue = optionalId(value.queue, `${name}: queue`, 'queue name');
    const worker = optionalId(value.worker, `${name}: worker`, 'worker id');
    return { ...template, ...(jobId && { jobId }), ...(queue && { queue }), ...(worker && { worker }) };
  }
  const event = value.event;
  if (!isObject(event)) throw new Error(l10n.t('{0}: must be an object', `${name}: event`));
  if (typeof event.job_id !== 'string') throw new Error(l10n.t('{0}: must be a string', `${name}: event.job_id`));
  const problem = idProblem('job id', event.job_id);
  if (problem) throw new Error(`${name}: event.job_id: ${problem}`);
  if (typeof event.event_type !== 'string' || event.event_type === '') throw new Error(l10n.t('{0}: must be a non-empty string', `${name}: event.event_type`));
  optionalId(event.queue_name, `${name}: event.queue_name`, 'queue name');
  optionalId(event.worker_id, `${name}: event.worker_id`, 'worker id');
  return { name, kind: 'event', event: event as unknown as JobEventInit };
}

/** Reads a template file: each entry with its offset, good or not; a file that is not a JSON array is one problem. */
export function parseTemplateFile(text: string): TemplateFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: l10n.t('not JSON: {0}', (error as Error).message) };
  }
  if (!Array.isArray(value)) return { ok: false, problem: l10n.t('the file must hold a JSON array of templates') };
  const offsets = elementOffsets(text);
  return {
    ok: true,
    entries: value.map((item: unknown, i): TemplateEntry => {
      const offset = offsets[i] ?? 0;
      try {
        return { offset, template: checkTemplate(item) };
      } catch (error) {
        return { offset, problem: (error as Error).message };
      }
    }),
  };
}
