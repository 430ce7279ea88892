/** Emitting events by hand: one event through a short quick-pick flow, or a whole sample lifecycle. */
import * as vscode from 'vscode';
import { statusAfter } from '../../../server/src/shared/jobStatus';
import type { JobEventInit } from '../../../server/src/shared/events';
import { eventFamily, isFailureType, KNOWN_EVENT_TYPES, type EventFamily, type KnownEventType } from '../../../server/src/shared/events';
import {
  EmitLifecycleRequest,
  EmitRequest,
  GetJobRequest,
  type JobItem,
  type LifecycleParams,
  type LifecycleScenario,
} from '../../../server/src/protocol/protocol';
import type { Services } from '../services';
import { counted, generatedJobId } from '../util/format';
import { jobIdOf, jobItemOf } from '../views/nodes';
import { parseTemplateFile } from './emitTemplates';
import { answered, flash, registerCommand } from './guard';
import { idProblem, optionalIdProblem } from './validate';
import { walkthroughOutcome } from '../walkthrough/progress';

/** A function, not a constant: `vscode.l10n.t` belongs to the activated extension, not to module load. */
const familyLabels = (): Record<Exclude<EventFamily, 'unknown'>, string> => ({
  lifecycle: vscode.l10n.t('Job lifecycle'),
  retry: vscode.l10n.t('Retries'),
  dependency: vscode.l10n.t('Dependencies'),
  schedule: vscode.l10n.t('Schedules'),
  worker: vscode.l10n.t('Workers'),
  queue: vscode.l10n.t('Queues'),
  ttl: vscode.l10n.t('Time to live'),
});

/** Types a worker logs (asked for a worker id); the others are asked for a queue. */
const WORKER_TYPES = new Set<string>([
  'started',
  'completed',
  'failed',
  'timeout',
  'paused',
  'resumed',
  'retry_started',
  'worker_assigned',
  'worker_released',
  'worker_started',
  'worker_stopped',
  'worker_idle',
  'worker_busy',
  'worker_heartbeat',
  'worker_error',
]);

type TypeItem = vscode.QuickPickItem & { type?: KnownEventType };

/** The known event types, grouped by family under separators. */
export function eventTypeItems(): TypeItem[] {
  const items: TypeItem[] = [];
  const labels = familyLabels();
  for (const family of Object.keys(labels) as (keyof typeof labels)[]) {
    const types = KNOWN_EVENT_TYPES.filter((type) => eventFamily(type) === family);
    if (types.length === 0) continue;
    items.push({ label: labels[family], kind: vscode.QuickPickItemKind.Separator });
    for (const type of types) {
      const next = statusAfter('unknown', type);
      const notes = [next !== 'unknown' ? `→ ${next}` : undefined, isFailureType(type) ? vscode.l10n.t('failure') : undefined].filter(Boolean);
      items.push({ label: type, description: notes.join(' · ') || undefined, type });
    }
  }
  return items;
}

const scenarios = (): (vscode.QuickPickItem & { scenario: LifecycleScenario })[] => [
  { label: `$(pass) ${vscode.l10n.t('Success')}`, description: vscode.l10n.t('enqueued → started → completed'), scenario: 'success' },
  {
    label: `$(error) ${vscode.l10n.t('Failure with retries')}`,
    description: vscode.l10n.t('three attempts fail, then max retries exceeded'),
    scenario: 'failure-with-retries',
  },
  { label: `$(watch) ${vscode.l10n.t('Timeout')}`, description: vscode.l10n.t('started, then timed out'), scenario: 'timeout' },
  { label: `$(circle-slash) ${vscode.l10n.t('Cancellation')}`, description: vscode.l10n.t('enqueued, then cancelled'), scenario: 'cancellation' },
  { label: `$(calendar) ${vscode.l10n.t('Schedule')}`, description: vscode.l10n.t('scheduled, triggered, run'), scenario: 'schedule' },
];

/** Where saved emit templates live (see `emitTemplates.ts` and the README). */
const TEMPLATE_FILES: vscode.DocumentSelector = [
  { language: 'json', pattern: '**/.naq/emit.json' },
  { language: 'json', pattern: '**/*.naq.json' },
];

/** A "Send" lens above each template; a template with a problem gets the problem instead. */
function templateLenses(document: vscode.TextDocument): vscode.CodeLens[] {
  const file = parseTemplateFile(document.getText());
  if (!file.ok) return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: `$(warning) ${file.problem}`, command: '' })];
  return file.entries.map((entry, index) => {
    const range = new vscode.Range(document.positionAt(entry.offset), document.positionAt(entry.offset));
    if ('problem' in entry) return new vscode.CodeLens(range, { title: `$(warning) ${entry.problem}`, command: '' });
    const what = entry.template.kind === 'lifecycle' ? vscode.l10n.t('{0} lifecycle', entry.template.scenario) : entry.template.event.event_type;
    return new vscode.CodeLens(range, {
      title: `$(send) ${vscode.l10n.t('Send "{0}" ({1})', entry.template.name, what)}`, command: 'naq.sendEmitTemplate', arguments: [document.uri, index] });
  });
}

export function registerEmitCommands(s: Services): vscode.Disposable[] {
  const { backend, log } = s;

  const input = async (title: string, prompt: string, value: string, validate: (v: string) => string | undefined): Promise<string> =>
    answered(await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: (v) => validate(v.trim()) })).trim();

  const emitEvent = async (arg?: unknown): Promise<void> => {
    const title = vscode.l10n.t('NAQ: Emit Event');
    let job: JobItem | null | undefined = jobItemOf(arg);
    let jobId = jobIdOf(arg);
    if (jobId === undefined) {
      jobId = await input(vscode.l10n.t('{0}: Job ID', title), vscode.l10n.t('The job the event belongs to'), generatedJobId(), (v) => idProblem('job id', v));
    }
    job ??= await backend.request(GetJobRequest.type, { jobId });

    const picked = answered(
      await vscode.window.showQuickPick(eventTypeItems(), {
        title: vscode.l10n.t('{0}: Event Type for {1}', title, jobId),
        placeHolder: vscode.l10n.t('The type of event to store'),
        matchOnDescription: true,
      }),
    );
    const type = picked.type!;
    const event: JobEventInit = { job_id: jobId, event_type: type, message: vscode.l10n.t('Emitted from VS Code') };
    if (WORKER_TYPES.has(type)) {
      const worker = await input(vscode.l10n.t('{0}: Worker', title), vscode.l10n.t('The worker id (empty: none)'), job?.worker ?? 'worker-1', (v) => optionalIdProblem('worker id', v));
      if (worker) event.worker_id = worker;
    }
    if (!WORKER_TYPES.has(type) || job?.queue) {
      const queue = WORKER_TYPES.has(type)
        ? (job?.queue ?? '')
        : await input(vscode.l10n.t('{0}: Queue', title), vscode.l10n.t('The queue name (empty: none)'), job?.queue ?? 'default', (v) => optionalIdProblem('queue name', v));
      if (queue) event.queue_name = queue;
    }
    if (isFailureType(type)) {
      event.error_type = await input(vscode.l10n.t('{0}: Error Type', title), vscode.l10n.t('The exception class'), 'RuntimeError', (v) =>
        v ? undefined : vscode.l10n.t('Required'),
      );
      event.error_message = await input(vscode.l10n.t('{0}: Error Message', title), vscode.l10n.t('What went wrong'), vscode.l10n.t('Emitted from VS Code'), () => undefined);
    }
    const result = await backend.request(EmitRequest.type, { event });
    flash(`$(check) ${vscode.l10n.t('NAQ: {0} for {1} stored as #{2} on {3}', type, jobId, result.seq, result.subject)}`, 10_000);
    log.info(`emitted ${type} for ${jobId}: seq ${result.seq}, ${result.subject}`);
  };

  /** After emitting: open the job's timeline or tail it, from the notification. */
  const offerJob = async (text: string, jobId: string): Promise<void> => {
    const openTimeline = vscode.l10n.t('Open Timeline');
    const tailJob = vscode.l10n.t('Tail This Job');
    const choice = await vscode.window.showInformationMessage(text, openTimeline, tailJob);
    if (choice === openTimeline) await vscode.commands.executeCommand('naq.openTimeline', jobId);
    else if (choice === tailJob) await vscode.commands.executeCommand('naq.tailJob', jobId);
  };

  const sendLifecycle = async (params: LifecycleParams): Promise<void> => {
    const result = await backend.request(EmitLifecycleRequest.type, params);
    const seqs = result.events.map((e) => e.seq);
    const range = seqs.length > 0 ? ` (#${Math.min(...seqs)}–#${Math.max(...seqs)})` : '';
    log.info(`emitted the ${params.scenario} lifecycle for ${result.jobId}${range}`);
    const events = counted(result.events.length, vscode.l10n.t('1 event'), (n) => vscode.l10n.t('{0} events', n));
    flash(`$(check) ${vscode.l10n.t('NAQ: {0} for {1}{2}', events, result.jobId, range)}`, 10_000);
    walkthroughOutcome('lifecycleEmitted');
    await offerJob(vscode.l10n.t('NAQ: stored {0} of a {1} lifecycle for {2}{3}.', events, params.scenario, result.jobId, range), result.jobId);
  };

  const emitLifecycle = async (): Promise<void> => {
    const title = vscode.l10n.t('NAQ: Emit Sample Lifecycle');
    const picked = answered(await vscode.window.showQuickPick(scenarios(), { title, placeHolder: vscode.l10n.t('A realistic job history to store in the stream') }));
    // Titles that do not contain the pick's: each step is told apart by its title.
    const jobId = await input(vscode.l10n.t('NAQ: Sample Lifecycle Job ID'), vscode.l10n.t('The job of the {0} lifecycle', picked.scenario), generatedJobId(), (v) => idProblem('job id', v));
    const queue = await input(vscode.l10n.t('NAQ: Sample Lifecycle Queue'), vscode.l10n.t('The queue {0} runs on', jobId), 'default', (v) => idProblem('queue name', v));
    await sendLifecycle({ scenario: picked.scenario, jobId, queue });
  };

  /** The "Send" CodeLens of a template file: the template at `index` of the document as it is now. */
  const sendTemplate = async (uri?: unknown, index?: unknown): Promise<void> => {
    if (!(uri instanceof vscode.Uri) || typeof index !== 'number') throw new Error(vscode.l10n.t('Send a template from the CodeLens above it in a .naq/emit.json or *.naq.json file'));
    const document = await vscode.workspace.openTextDocument(uri);
    const file = parseTemplateFile(document.getText());
    if (!file.ok) throw new Error(`${vscode.workspace.asRelativePath(uri)}: ${file.problem}`);
    const entry = file.entries[index];
    if (!entry) throw new Error(vscode.l10n.t('{0} has no template number {1} any more', vscode.workspace.asRelativePath(uri), index + 1));
    if ('problem' in entry) throw new Error(vscode.l10n.t('template {0}: {1}', index + 1, entry.problem));
    const template = entry.template;
    if (template.kind === 'lifecycle') {
      await sendLifecycle({ scenario: template.scenario, jobId: template.jobId, queue: template.queue, worker: template.worker });
      return;
    }
    const result = await backend.request(EmitRequest.type, { event: template.event });
    log.info(`sent the template "${template.name}": seq ${result.seq}, ${result.subject}`);
    await offerJob(vscode.l10n.t('NAQ: "{0}" stored as #{1} on {2}.', template.name, result.seq, result.subject), template.event.job_id);
  };

  return [
    registerCommand(log, 'naq.emitEvent', vscode.l10n.t('emit the event'), emitEvent),
    registerCommand(log, 'naq.emitEventForJob', vscode.l10n.t('emit the event'), emitEvent),
    registerCommand(log, 'naq.emitLifecycle', vscode.l10n.t('emit the sample lifecycle'), emitLifecycle),
    registerCommand(log, 'naq.sendEmitTemplate', vscode.l10n.t('send the template'), sendTemplate),
    vscode.languages.registerCodeLensProvider(TEMPLATE_FILES, { provideCodeLenses: templateLenses }),
  ];
}
