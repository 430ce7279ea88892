/**
 * "NAQ: Review Stream Configuration…": the stream's difference to the seed's limits in a read-only
 * document, and an apply only when the user confirms it, with what deletes or refuses events named.
 */
import * as vscode from 'vscode';
import { StreamApplyRequest, StreamPlanRequest, type StreamReview } from '../../../server/src/protocol/protocol';
import type { Services } from '../services';
import { flash, registerCommand } from './guard';

const SCHEME = 'naq-stream';

function reviewUri(stream: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/${stream}.txt` });
}

function reviewText(review: StreamReview): string {
  const problems = review.problems.length
    ? review.problems.map((p) => `  ${p.field}: ${p.detail}; ${p.degrades}`)
    : ['  nothing: NAQ can use the stream fully'];
  return [
    `NAQ stream review: ${review.stream}`,
    'Read-only. The stream changes only when you confirm "Apply" (as naq-events stream apply).',
    '',
    'Difference to the seed\'s limits:',
    ...review.text.map((line) => `  ${line}`),
    '',
    'What the current configuration degrades:',
    ...problems,
    '',
  ].join('\n');
}

/** The latest review of each stream, as read-only documents. */
class ReviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reviews = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  show(review: StreamReview): vscode.Uri {
    const uri = reviewUri(review.stream);
    this.reviews.set(uri.toString(), reviewText(review));
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reviews.get(uri.toString()) ?? 'No review of this stream yet: run "NAQ: Review Stream Configuration…".';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Asks before anything changes; `force` only when the user accepts the changes that need it, named. */
async function confirm(review: StreamReview): Promise<{ force: boolean } | undefined> {
  const forced = review.changes.filter((c) => c.forceRule !== null);
  const lines = review.changes.map((c) => `${c.field}: ${review.action === 'create' ? c.to : `${c.from} → ${c.to}`}${c.forceRule ? ` (${c.forceRule})` : ''}`);
  const question =
    review.action === 'create'
      ? `Create the stream ${review.stream} with the seed's limits?`
      : `Apply ${review.changes.length} ${review.changes.length === 1 ? 'change' : 'changes'} to the stream ${review.stream}?`;
  const detail = forced.length
    ? `${lines.join('\n')}\n\n${forced.length} of these can delete or refuse events; they are applied only if you choose "Apply, Including Those".`
    : lines.join('\n');
  const apply = review.action === 'create' ? 'Create Stream' : forced.length ? 'Apply, Including Those' : 'Apply Changes';
  const choice = await vscode.window.showWarningMessage(question, { modal: true, detail }, apply);
  return choice === apply ? { force: forced.length > 0 } : undefined;
}

export function registerStreamCommands(s: Services): vscode.Disposable[] {
  const { backend, log } = s;
  const documents = new ReviewDocuments();

  const review = async (): Promise<void> => {
    const plan = await backend.request(StreamPlanRequest.type);
    await vscode.window.showTextDocument(documents.show(plan), { preview: true });
    if (plan.action === 'none') {
      void vscode.window.showInformationMessage(`NAQ: the stream ${plan.stream} has the seed's limits and NAQ's subjects; nothing to change.`);
      return;
    }
    if (plan.conflicts.length > 0) {
      void vscode.window.showErrorMessage(`NAQ cannot change the stream ${plan.stream}.`, { modal: true, detail: plan.conflicts.join('\n') });
      return;
    }
    const confirmed = await confirm(plan);
    if (!confirmed) return;
    const result = await backend.request(StreamApplyRequest.type, { force: confirmed.force, basis: plan.basis });
    documents.show(result.review);
    switch (result.outcome) {
      case 'created':
      case 'updated':
        log.info(`stream ${plan.stream} ${result.outcome}${confirmed.force ? ' (with force)' : ''}`);
        flash(`$(check) NAQ: ${result.outcome} the stream ${plan.stream}`);
        return;
      case 'unchanged':
        void vscode.window.showInformationMessage(`NAQ: the stream ${plan.stream} needed no change.`);
        return;
      case 'refused':
        void vscode.window.showErrorMessage(`NAQ: the stream ${plan.stream} was not changed.`, { modal: true, detail: result.reasons.slice(1).map((line) => line.trim()).join('\n') });
        return;
      case 'changed': {
        const again = await vscode.window.showWarningMessage(`NAQ: the stream ${plan.stream} changed since the review; nothing was changed.`, 'Review Again');
        if (again === 'Review Again') await review();
        return;
      }
    }
  };

  return [
    documents,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    registerCommand(log, 'naq.reviewStream', 'review the stream', review),
  ];
}
