/** Commands on jobs and views: timeline, tails, stats, search, refresh, copy, delete, paging. */
import * as vscode from 'vscode';
import { DeleteJobRequest, GetJobRequest } from '../../../server/src/protocol/protocol';
import { jobFilter } from '../../../server/src/shared/subjects';
import { subjectPrefix } from '../config/settings';
import type { Services } from '../services';
import { counted } from '../util/format';
import type { MoreNode } from '../views/nodes';
import { jobIdOf, jobItemOf } from '../views/nodes';
import { VIEW_IDS } from '../views/naqViews';
import * as webviews from '../webviews';
import { answered, Cancelled, flash, registerCommand } from './guard';
import { pickJob } from './jobPicker';
import { idProblem, tailPatternProblem } from './validate';

export function registerJobCommands(s: Services): vscode.Disposable[] {
  const { backend, views, log, context } = s;

  const askJobId = async (title: string): Promise<string> =>
    answered(
      await vscode.window.showInputBox({
        title,
        prompt: vscode.l10n.t('Job ID'),
        placeHolder: vscode.l10n.t('e.g. job-1a2b3c'),
        validateInput: (v) => idProblem('job id', v.trim()),
      }),
    ).trim();

  /** A job from the index, found as you type; a typed id that is not listed yet is accepted too. */
  const pickJobId = async (title: string): Promise<string> => {
    const picked = answered(await pickJob(backend, { title }));
    if (picked.kind !== 'job') throw new Cancelled();
    return picked.jobId;
  };

  /** `column`: where to open it, e.g. a tail asks for a group other than its own. */
  const openTimeline = async (arg?: unknown, column?: unknown): Promise<void> => {
    const jobId = jobIdOf(arg) ?? (await pickJobId(vscode.l10n.t('NAQ: Open Job Timeline')));
    await webviews.showTimeline(context, backend, jobId, typeof column === 'number' && Number.isSafeInteger(column) && column > 0 ? column : undefined);
  };

  const tailSubject = async (arg?: unknown): Promise<void> => {
    const prefix = subjectPrefix();
    const pattern =
      typeof arg === 'string'
        ? arg
        : answered(
            await vscode.window.showInputBox({
              title: vscode.l10n.t('NAQ: Tail Subject'),
              prompt: vscode.l10n.t('A subject pattern, e.g. {0}.*.>  or  {0}.job-1.>  (empty: every failure, whatever its subject)', prefix),
              placeHolder: vscode.l10n.t('empty: every failure'),
              validateInput: (v) => tailPatternProblem(v, prefix),
            }),
          );
    await webviews.startTailView(context, backend, pattern === '' ? {} : { pattern });
  };

  const tailJob = async (arg?: unknown): Promise<void> => {
    const jobId = jobIdOf(arg) ?? (await askJobId(vscode.l10n.t('NAQ: Tail Job')));
    // The job's history first, then its live events.
    await webviews.startTailView(context, backend, { pattern: jobFilter(subjectPrefix(), jobId), backfill: { all: true } });
  };

  const deleteJobEvents = async (arg?: unknown): Promise<void> => {
    const jobId = jobIdOf(arg) ?? (await askJobId(vscode.l10n.t('NAQ: Delete Job Events')));
    const job = (await backend.request(GetJobRequest.type, { jobId })) ?? jobItemOf(arg);
    const stream = backend.state.stream?.name ?? vscode.workspace.getConfiguration('naq').get<string>('streamName', 'NAQ_JOB_EVENTS');
    const question = job
      ? counted(job.eventCount, vscode.l10n.t('Delete the 1 event of job "{0}"?', jobId), (n) => vscode.l10n.t('Delete the {0} events of job "{1}"?', n, jobId))
      : vscode.l10n.t('Delete all events of job "{0}"?', jobId);
    const deleteEvents = vscode.l10n.t('Delete Events');
    const choice = await vscode.window.showWarningMessage(
      question,
      { modal: true, detail: vscode.l10n.t('They are purged from the stream {0}; this cannot be undone.', stream) },
      deleteEvents,
    );
    if (choice !== deleteEvents) return;
    const { purged } = await backend.request(DeleteJobRequest.type, { jobId });
    const deleted = counted(purged, vscode.l10n.t('NAQ: deleted 1 event of {0}', jobId), (n) => vscode.l10n.t('NAQ: deleted {0} events of {1}', n, jobId));
    flash(`$(trash) ${deleted}`);
    log.info(`deleted ${purged} events of ${jobId}`);
  };

  const copyJobId = async (arg?: unknown): Promise<void> => {
    const jobId = jobIdOf(arg);
    if (!jobId) return;
    await vscode.env.clipboard.writeText(jobId);
    flash(`$(copy) ${vscode.l10n.t('Copied {0}', jobId)}`, 3_000);
  };

  /** Results as you type; a job opens its timeline, "Show all" puts the search in the Jobs view. */
  const searchJobs = async (): Promise<void> => {
    const picked = answered(await pickJob(backend, { title: vscode.l10n.t('NAQ: Search Jobs'), value: views.jobs.search ?? '', offerAll: true }));
    if (picked.kind === 'job') {
      await webviews.showTimeline(context, backend, picked.jobId);
      return;
    }
    const group = views.jobs.setSearch(picked.search);
    if (group) {
      await vscode.commands.executeCommand(`${VIEW_IDS.jobs}.focus`);
      await views.jobsView.reveal(group, { select: false, focus: false, expand: true });
    }
  };

  const clearSearch = (): void => {
    views.jobs.setSearch(undefined);
  };

  /** `{ from, to }` in epoch seconds (the dashboard's brush): the Jobs view lists the jobs active then. */
  const filterJobsByTime = async (arg?: unknown): Promise<void> => {
    const range = arg as { from?: unknown; to?: unknown } | undefined;
    const from = range?.from;
    const to = range?.to;
    if (typeof from !== 'number' || typeof to !== 'number' || !Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      throw new TypeError('naq.filterJobsByTime: needs { from, to }, epoch seconds with "to" after "from"');
    }
    views.jobs.setTimeFilter({ from, to });
    await vscode.commands.executeCommand(`${VIEW_IDS.jobs}.focus`);
  };

  const loadMore = async (node?: unknown): Promise<void> => {
    const more = node as MoreNode | undefined;
    if (more?.kind === 'more') await views.loadMore(more);
  };

  return [
    registerCommand(log, 'naq.openTimeline', vscode.l10n.t('open the timeline'), openTimeline),
    registerCommand(log, 'naq.tailSubject', vscode.l10n.t('start the tail'), tailSubject),
    registerCommand(log, 'naq.tailJob', vscode.l10n.t('tail the job'), tailJob),
    registerCommand(log, 'naq.stopTail', vscode.l10n.t('stop the tail'), () => webviews.stopTailView()),
    registerCommand(log, 'naq.showStats', vscode.l10n.t('show the statistics'), () => webviews.showStats(context, backend, views.jobs)),
    registerCommand(log, 'naq.filterJobsByTime', vscode.l10n.t('filter the jobs by time'), filterJobsByTime),
    registerCommand(log, 'naq.clearTimeFilter', vscode.l10n.t('clear the time filter'), () => views.jobs.setTimeFilter(undefined)),
    registerCommand(log, 'naq.deleteJobEvents', vscode.l10n.t('delete the events'), deleteJobEvents),
    registerCommand(log, 'naq.copyJobId', vscode.l10n.t('copy the job id'), copyJobId),
    registerCommand(log, 'naq.searchJobs', vscode.l10n.t('search'), searchJobs),
    registerCommand(log, 'naq.clearSearch', vscode.l10n.t('clear the search'), clearSearch),
    registerCommand(log, 'naq.refresh', vscode.l10n.t('refresh'), () => views.refreshAll()),
    registerCommand(log, 'naq.loadMore', vscode.l10n.t('load more jobs'), loadMore),
  ];
}
