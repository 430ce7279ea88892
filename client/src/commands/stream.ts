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
    : [`  ${vscode.l10n.t('nothing: NAQ can use the stream fully')}`];
  return [
    vscode.l10n.t('NAQ stream review: {0}', review.stream),
    vscode.l10n.t('Read-only. The stream changes only when you confirm "Apply" (as naq-events stream apply).'),
    '',
    vscode.l10n.t("Difference to the seed's limits:"),
    ...review.text.map((line) => `  ${line}`),
    '',
    vscode.l10n.t('What the current configuration degrades:'),
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
    return this.reviews.get(uri.toString()) ?? vscode.l10n.t('No review of this stream yet: run "NAQ: Review Stream Configuration…".');
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
      ? vscode.l10n.t("Create the stream {0} with the seed's limits?", review.stream)
      : review.changes.length === 1
        ? vscode.l10n.t('Apply 1 change to the stream {0}?', review.stream)
        : vscode.l10n.t('Apply {0} changes to the stream {1}?', review.changes.length, review.stream);
  const applyForced = vscode.l10n.t('Apply, Including Those');
  const detail = forced.length
    ? `${lines.join('\n')}\n\n${vscode.l10n.t('{0} of these can delete or refuse events; they are applied only if you choose "{1}".', forced.length, applyForced)}`
    : lines.join('\n');
  const apply = review.action === 'create' ? vscode.l10n.t('Create Stream') : forced.length ? applyForced : vscode.l10n.t('Apply Changes');
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
      void vscode.window.showInformationMessage(vscode.l10n.t("NAQ: the stream {0} has the seed's limits and NAQ's subjects; nothing to change.", plan.stream));
      return;
    }
    if (plan.conflicts.length > 0) {
      void vscode.window.showErrorMessage(vscode.l10n.t('NAQ cannot change the stream {0}.', plan.stream), { modal: true, detail: plan.conflicts.join('\n') });
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
        flash(`$(check) ${result.outcome === 'created' ? vscode.l10n.t('NAQ: created the stream {0}', plan.stream) : vscode.l10n.t('NAQ: updated the stream {0}', plan.stream)}`);
        return;
      case 'unchanged':
        void vscode.window.showInformationMessage(vscode.l10n.t('NAQ: the stream {0} needed no change.', plan.stream));
        return;
      case 'refused':
        void vscode.window.showErrorMessage(vscode.l10n.t('NAQ: the stream {0} was not changed.', plan.stream), { modal: true, detail: result.reasons.slice(1).map((line) => line.trim()).join('\n') });
        return;
      case 'changed': {
        const reviewAgain = vscode.l10n.t('Review Again');
        const again = await vscode.window.showWarningMessage(vscode.l10n.t('NAQ: the stream {0} changed since the review; nothing was changed.', plan.stream), reviewAgain);
        if (again === reviewAgain) await review();
        return;
      }
    }
  };

  return [
    documents,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    registerCommand(log, 'naq.reviewStream', vscode.l10n.t('review the stream'), review),
  ];
}
