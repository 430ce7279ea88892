/** The Failures view, its commands and the Explorer badges; registered once from activate(). */
import * as vscode from 'vscode';
import type { BackendClient } from '../backend/backendClient';
import { errorText } from '../util/format';
import { FailureDecorations } from './fileDecorations';
import { FailuresTree, raiseSite, type FailureNode } from './failuresTree';
import { jobMarkdown, signatureMarkdown } from './markdown';
import { openSite } from './openFrame';
import { FailuresJobsRequest, GetJobRequest, type FailureSite } from '../../../server/src/protocol/protocol';

function isSite(value: unknown): value is FailureSite {
  return typeof value === 'object' && value !== null && typeof (value as FailureSite).uri === 'string' && typeof (value as FailureSite).line === 'number';
}

export function registerFailures(backend: BackendClient, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const tree = new FailuresTree(backend, log);
  const decorations = new FailureDecorations();
  const selected = (node: FailureNode | undefined): FailureNode | undefined => node ?? tree.view.selection[0];

  const goToRaiseSite = async (target?: FailureNode | FailureSite): Promise<void> => {
    const site = isSite(target) ? target : (() => {
      const node = selected(target);
      return node ? raiseSite(node) : null;
    })();
    if (!site) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This failure was not raised in a workspace file.'));
      return;
    }
    await openSite(site);
  };

  const copyAsMarkdown = async (target?: FailureNode): Promise<void> => {
    const node = selected(target);
    if (!node) return;
    try {
      let text: string;
      if (node.kind === 'signature') {
        const jobs = await backend.request(FailuresJobsRequest.type, { signatureId: node.signature.id });
        text = signatureMarkdown(node.signature, jobs);
      } else {
        const job = node.job;
        const item = await backend.request(GetJobRequest.type, { jobId: job.jobId });
        text = jobMarkdown(job, item?.attempts ?? null, node.kind === 'job' ? node.signature : undefined);
      }
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('NAQ: failure copied as Markdown'), 3000);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('NAQ: the failure could not be copied: {0}', errorText(error)));
    }
  };

  const openTimeline = (target?: FailureNode): void => {
    const node = selected(target);
    const jobId = node?.kind === 'signature' ? node.signature.jobs[0] : node?.job.jobId;
    if (jobId) void vscode.commands.executeCommand('naq.openTimeline', jobId);
  };

  return [
    tree,
    decorations,
    tree.onDidList((signatures) => decorations.update(signatures)),
    vscode.window.registerFileDecorationProvider(decorations),
    vscode.commands.registerCommand('naq.failures.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('naq.failures.goToRaiseSite', goToRaiseSite),
    vscode.commands.registerCommand('naq.failures.copyAsMarkdown', copyAsMarkdown),
    vscode.commands.registerCommand('naq.failures.openTimeline', openTimeline),
  ];
}
