/**
 * A QuickPick over the index's jobs, results as you type: recent activity first, found by id, error
 * type or message ("ValueError", "boom", "ValueError: boom"), queue and worker, narrowed by
 * `status:`, `queue:`, `worker:`. A typed job id that is not (yet) listed can still be opened.
 */
import * as vscode from 'vscode';
import { ListJobsRequest, type JobItem } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import { errorText, formatAge } from '../util/format';
import { parseJobSearch, typedJobId } from './jobSearch';
import { idProblem } from './validate';

/** Rows the pick shows: enough to choose from, few enough to stay quick at every keystroke. */
const PICK_LIMIT = 50;

export type Picked = { kind: 'job'; jobId: string } | { kind: 'all'; search: string };

interface PickItem extends vscode.QuickPickItem {
  choice?: Picked;
}

function jobPickItem(job: JobItem, now: number): PickItem {
  const error = job.lastError ? [job.lastError.type, job.lastError.message].filter(Boolean).join(': ') : '';
  return {
    label: `$(${job.lastError ? 'error' : 'symbol-event'}) ${job.jobId}`,
    description: [job.status, job.queue, job.worker, formatAge(job.lastTime, now)].filter(Boolean).join(' · '),
    detail: error || undefined,
    // The backend has already matched: VS Code's own filter must not hide what it found.
    alwaysShow: true,
    choice: { kind: 'job', jobId: job.jobId },
  };
}

/**
 * Shows the pick and resolves with the chosen job, `all` (only when `offerAll`: show every match in
 * the Jobs view), or undefined when dismissed.
 */
export function pickJob(client: BackendClient, options: { title: string; value?: string; offerAll?: boolean }): Promise<Picked | undefined> {
  const pick = vscode.window.createQuickPick<PickItem>();
  pick.title = options.title;
  pick.placeholder = vscode.l10n.t('Job id, error (ValueError, boom), queue or worker; filters: status:failed queue:NAME worker:ID');
  pick.value = options.value ?? '';
  // Opened from a walkthrough's button, the pick loses the focus to the walkthrough's step at once; and
  // a user may click into an editor to copy an id: a typed search is not thrown away for either.
  pick.ignoreFocusOut = true;
  let asked = 0;
  /** The value the shown items were found for: Enter before they follow a typed id opens that id. */
  let shownFor: string | undefined;

  const refresh = async (): Promise<void> => {
    const typed = pick.value;
    const ask = ++asked;
    const parsed = parseJobSearch(typed);
    if (!parsed.ok) {
      pick.items = [{ label: `$(warning) ${parsed.problem}`, alwaysShow: true }];
      shownFor = typed;
      return;
    }
    pick.busy = true;
    try {
      const page = await client.request(ListJobsRequest.type, { offset: 0, limit: PICK_LIMIT, ...parsed.query });
      if (ask !== asked) return;
      const now = Date.now();
      const items: PickItem[] = page.items.map((job) => jobPickItem(job, now));
      const id = typedJobId(typed);
      if (id !== undefined && !idProblem('job id', id) && !page.items.some((job) => job.jobId === id)) {
        items.unshift({
          label: `$(go-to-file) ${vscode.l10n.t('Open job "{0}"', id)}`,
          description: vscode.l10n.t('not in the index (yet)'), alwaysShow: true, choice: { kind: 'job', jobId: id } });
      }
      if (options.offerAll && parsed.query.search && page.total > 0 && parsed.query.status === undefined && parsed.query.queue === undefined && parsed.query.worker === undefined) {
        items.push({
          label: `$(list-filter) ${vscode.l10n.t('Show all {0} matches in the Jobs view', page.total)}`, alwaysShow: true, choice: { kind: 'all', search: parsed.query.search } });
      }
      if (items.length === 0) items.push({ label: `$(info) ${typed ? vscode.l10n.t('No job matches') : vscode.l10n.t('No jobs yet')}`, alwaysShow: true });
      pick.items = items;
      shownFor = typed;
    } catch (error) {
      if (ask === asked) pick.items = [{ label: `$(warning) ${errorText(error)}`, alwaysShow: true }];
    } finally {
      if (ask === asked) pick.busy = false;
    }
  };

  return new Promise((resolve) => {
    let result: Picked | undefined;
    pick.onDidChangeValue(() => void refresh());
    pick.onDidAccept(() => {
      const typed = typedJobId(pick.value);
      result = shownFor !== pick.value && typed !== undefined && !idProblem('job id', typed) ? { kind: 'job', jobId: typed } : pick.selectedItems[0]?.choice;
      if (result) pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(result);
    });
    pick.show();
    void refresh();
  });
}
