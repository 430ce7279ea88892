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
import { generatedJobId, plural } from '../util/format';
import { jobIdOf, jobItemOf } from '../views/nodes';
import { parseTemplateFile } from './emitTemplates';
import { answered, flash, registerCommand } from './guard';
import { idProblem, optionalIdProblem } from './validate';
import { walkthroughOutcome } from '../walkthrough/progress';

const FAMILY_LABELS: Record<Exclude<EventFamily, 'unknown'>, string> = {
  lifecycle: 'Job lifecycle',
  retry: 'Retries',
  dependency: 'Dependencies',
  schedule: 'Schedules',
  worker: 'Workers',
  queue: 'Queues',
  ttl: 'Time to live',
};

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
  for (const family of Object.keys(FAMILY_LABELS) as (keyof typeof FAMILY_LABELS)[]) {
    const types = KNOWN_EVENT_TYPES.filter((type) => eventFamily(type) === family);
    if (types.length === 0) continue;
    items.push({ label: FAMILY_LABELS[family], kind: vscode.QuickPickItemKind.Separator });
    for (const type of types) {
      const next = statusAfter('unknown', type);
      const notes = [next !== 'unknown' ? `→ ${next}` : undefined, isFailureType(type) ? 'failure' : undefined].filter(Boolean);
      items.push({ label: type, description: notes.join(' · ') || undefined, type });
    }
  }
  return items;
}

const SCENARIOS: (vscode.QuickPickItem & { scenario: LifecycleScenario })[] = [
  { label: '$(pass) Success', description: 'enqueued → started → completed', scenario: 'success' },
  { label: '$(error) Failure with retries', description: 'three attempts fail, then max retries exceeded', scenario: 'failure-with-retries' },
  { label: '$(watch) Timeout', description: 'started, then timed out', scenario: 'timeout' },
  { label: '$(circle-slash) Cancellation', description: 'enqueued, then cancelled', scenario: 'cancellation' },
  { label: '$(calendar) Schedule', description: 'scheduled, triggered, run', scenario: 'schedule' },
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
    const what = entry.template.kind === 'lifecycle' ? `${entry.template.scenario} lifecycle` : entry.template.event.event_type;
    return new vscode.CodeLens(range, { title: `$(send) Send "${entry.template.name}" (${what})`, command: 'naq.sendEmitTemplate', arguments: [document.uri, index] });
  });
}

export function registerEmitCommands(s: Services): vscode.Disposable[] {
  const { backend, log } = s;

  const input = async (title: string, prompt: string, value: string, validate: (v: string) => string | undefined): Promise<string> =>
    answered(await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: (v) => validate(v.trim()) })).trim();

  const emitEvent = async (arg?: unknown): Promise<void> => {
    const title = 'NAQ: Emit Event';
    let job: JobItem | null | undefined = jobItemOf(arg);
    let jobId = jobIdOf(arg);
    if (jobId === undefined) {
      jobId = await input(`${title}: Job ID`, 'The job the event belongs to', generatedJobId(), (v) => idProblem('job id', v));
    }
    job ??= await backend.request(GetJobRequest.type, { jobId });

    const picked = answered(
      await vscode.window.showQuickPick(eventTypeItems(), {
        title: `${title}: Event Type for ${jobId}`,
        placeHolder: 'The type of event to store',
        matchOnDescription: true,
      }),
    );
    const type = picked.type!;
    const event: JobEventInit = { job_id: jobId, event_type: type, message: 'Emitted from VS Code' };
    if (WORKER_TYPES.has(type)) {
      const worker = await input(`${title}: Worker`, 'The worker id (empty: none)', job?.worker ?? 'worker-1', (v) => optionalIdProblem('worker id', v));
      if (worker) event.worker_id = worker;
    }
    if (!WORKER_TYPES.has(type) || job?.queue) {
      const queue = WORKER_TYPES.has(type)
        ? (job?.queue ?? '')
        : await input(`${title}: Queue`, 'The queue name (empty: none)', job?.queue ?? 'default', (v) => optionalIdProblem('queue name', v));
      if (queue) event.queue_name = queue;
    }
    if (isFailureType(type)) {
      event.error_type = await input(`${title}: Error Type`, 'The exception class', 'RuntimeError', (v) => (v ? undefined : 'Required'));
      event.error_message = await input(`${title}: Error Message`, 'What went wrong', 'Emitted from VS Code', () => undefined);
    }
    const result = await backend.request(EmitRequest.type, { event });
    flash(`$(check) NAQ: ${type} for ${jobId} stored as #${result.seq} on ${result.subject}`, 10_000);
    log.info(`emitted ${type} for ${jobId}: seq ${result.seq}, ${result.subject}`);
  };

  /** After emitting: open the job's timeline or tail it, from the notification. */
  const offerJob = async (text: string, jobId: string): Promise<void> => {
    const choice = await vscode.window.showInformationMessage(text, 'Open Timeline', 'Tail This Job');
    if (choice === 'Open Timeline') await vscode.commands.executeCommand('naq.openTimeline', jobId);
    else if (choice === 'Tail This Job') await vscode.commands.executeCommand('naq.tailJob', jobId);
  };

  const sendLifecycle = async (params: LifecycleParams): Promise<void> => {
    const result = await backend.request(EmitLifecycleRequest.type, params);
    const seqs = result.events.map((e) => e.seq);
    const range = seqs.length > 0 ? ` (#${Math.min(...seqs)}–#${Math.max(...seqs)})` : '';
    log.info(`emitted the ${params.scenario} lifecycle for ${result.jobId}${range}`);
    flash(`$(check) NAQ: ${plural(result.events.length, 'event')} for ${result.jobId}${range}`, 10_000);
    walkthroughOutcome('lifecycleEmitted');
    await offerJob(`NAQ: stored ${plural(result.events.length, 'event')} of a ${params.scenario} lifecycle for ${result.jobId}${range}.`, result.jobId);
  };

  const emitLifecycle = async (): Promise<void> => {
    const title = 'NAQ: Emit Sample Lifecycle';
    const picked = answered(await vscode.window.showQuickPick(SCENARIOS, { title, placeHolder: 'A realistic job history to store in the stream' }));
    // Titles that do not contain the pick's: each step is told apart by its title.
    const jobId = await input('NAQ: Sample Lifecycle Job ID', `The job of the ${picked.scenario} lifecycle`, generatedJobId(), (v) => idProblem('job id', v));
    const queue = await input('NAQ: Sample Lifecycle Queue', `The queue ${jobId} runs on`, 'default', (v) => idProblem('queue name', v));
    await sendLifecycle({ scenario: picked.scenario, jobId, queue });
  };

  /** The "Send" CodeLens of a template file: the template at `index` of the document as it is now. */
  const sendTemplate = async (uri?: unknown, index?: unknown): Promise<void> => {
    if (!(uri instanceof vscode.Uri) || typeof index !== 'number') throw new Error('Send a template from the CodeLens above it in a .naq/emit.json or *.naq.json file');
    const document = await vscode.workspace.openTextDocument(uri);
    const file = parseTemplateFile(document.getText());
    if (!file.ok) throw new Error(`${vscode.workspace.asRelativePath(uri)}: ${file.problem}`);
    const entry = file.entries[index];
    if (!entry) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no template number ${index + 1} any more`);
    if ('problem' in entry) throw new Error(`template ${index + 1}: ${entry.problem}`);
    const template = entry.template;
    if (template.kind === 'lifecycle') {
      await sendLifecycle({ scenario: template.scenario, jobId: template.jobId, queue: template.queue, worker: template.worker });
      return;
    }
    const result = await backend.request(EmitRequest.type, { event: template.event });
    log.info(`sent the template "${template.name}": seq ${result.seq}, ${result.subject}`);
    await offerJob(`NAQ: "${template.name}" stored as #${result.seq} on ${result.subject}.`, template.event.job_id);
  };

  return [
    registerCommand(log, 'naq.emitEvent', 'emit the event', emitEvent),
    registerCommand(log, 'naq.emitEventForJob', 'emit the event', emitEvent),
    registerCommand(log, 'naq.emitLifecycle', 'emit the sample lifecycle', emitLifecycle),
    registerCommand(log, 'naq.sendEmitTemplate', 'send the template', sendTemplate),
    vscode.languages.registerCodeLensProvider(TEMPLATE_FILES, { provideCodeLenses: templateLenses }),
  ];
}
