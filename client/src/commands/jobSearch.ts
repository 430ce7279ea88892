/**
 * What the job search box understands: free text (a job id, an error type or message, "Type: message",
 * a queue, a worker) and filters `status:`, `queue:`, `worker:`. Pure: no `vscode` import, unit-tested.
 */
import * as l10n from '@vscode/l10n';
import { isJobStatus, JOB_STATUSES, type JobStatus } from '../../../server/src/shared/jobStatus';

export interface JobSearch {
  status?: JobStatus;
  queue?: string;
  worker?: string;
  /** The free text, as one term (case-insensitive); absent when only filters were typed. */
  search?: string;
}

export type ParsedSearch = { ok: true; query: JobSearch } | { ok: false; problem: string };

type FilterKey = 'status' | 'queue' | 'worker';

const FILTER = /^(status|queue|worker):/i;

/**
 * What was typed, as a job id to open even when the index does not list it: one word that is not a
 * filter. `queue:billing` narrows the results; offered as an id it was the first row, and Enter
 * opened a job named "queue:billing".
 */
export function typedJobId(typed: string): string | undefined {
  const id = typed.trim();
  return id === '' || /\s/.test(id) || FILTER.test(id) ? undefined : id;
}

/** Parses what was typed; a filter with a bad or missing value is named with its rule. */
export function parseJobSearch(typed: string): ParsedSearch {
  const query: JobSearch = {};
  const words: string[] = [];
  for (const token of typed.trim().split(/\s+/).filter(Boolean)) {
    const match = /^(status|queue|worker):(.*)$/i.exec(token);
    const key = match?.[1]?.toLowerCase() as FilterKey | undefined;
    if (!match || key === undefined) {
      words.push(token);
      continue;
    }
    const value = match[2] ?? '';
    if (value === '') return { ok: false, problem: l10n.t('{0}: give a value, e.g. {1}', key, key === 'status' ? 'status:failed' : `${key}:name`) };
    if (query[key] !== undefined) return { ok: false, problem: l10n.t('{0}: give it once', key) };
    if (key === 'status') {
      const status = value.toLowerCase();
      if (!isJobStatus(status)) return { ok: false, problem: l10n.t('status: "{0}" is not one of {1}', value, JOB_STATUSES.join(', ')) };
      query.status = status;
    } else {
      query[key] = value;
    }
  }
  if (words.length > 0) query.search = words.join(' ');
  return { ok: true, query };
}
