/**
 * The Failures view: one row per failure signature (count, last seen, queues), its failed jobs under it, and a
 * job's frames under the job. Everything comes from the protocol's `failures/*` requests; `failures/changed`
 * refreshes it. Like the other trees it lists nothing while disconnected (its welcome shows instead),
 * except while they are stale (an outage, an index not following the stream), when the last listed rows stay, dimmed and marked so.
 */
import * as vscode from 'vscode';
import type { BackendClient } from '../backend/backendClient';
import { counted, errorText, formatAge, formatCount } from '../util/format';
import { canList } from '../views/jobTree';
import { dimmed } from '../views/render';
import { stalenessChanged, stalenessOf, staleDescription, staleMessage, type Staleness } from '../views/staleness';
import { callText } from './markdown';
import {
  FailuresChangedNotification,
  FailuresJobsRequest,
  FailuresListRequest,
  type FailureFrameItem,
  type FailureJobItem,
  type FailureSignatureItem,
  type FailureSite,
} from '../../../server/src/protocol/protocol';

export type FailureNode =
  | { kind: 'signature'; signature: FailureSignatureItem }
  | { kind: 'job'; signature: FailureSignatureItem; job: FailureJobItem }
  | { kind: 'frame'; job: FailureJobItem; frame: FailureFrameItem };

export class FailuresTree implements vscode.TreeDataProvider<FailureNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FailureNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listed = new vscode.EventEmitter<readonly FailureSignatureItem[]>();
  /** Fires with every signature list the view fetched (the file decorations follow it). */
  readonly onDidList = this.listed.event;
  readonly view: vscode.TreeView<FailureNode>;
  private readonly subscriptions: vscode.Disposable[];
  /** Set while NATS is lost or not answering: the rows are the last listed ones, drawn dimmed. */
  private stale: Staleness | undefined;
  /** The signatures as last listed: what the view keeps showing during an outage. */
  private lastRoots: FailureNode[] | undefined;

  constructor(
    private readonly backend: BackendClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView('naq.failures', { treeDataProvider: this, showCollapseAll: true });
    this.stale = stalenessOf(backend.state);
    this.view.description = staleDescription(undefined, this.stale);
    this.subscriptions = [
      this.view,
      this.changed,
      this.listed,
      backend.onNotification(FailuresChangedNotification.type, () => this.refresh()),
      backend.onDidChangeState((state) => {
        const stale = stalenessOf(state);
        if (stalenessChanged(this.stale, stale)) {
          this.stale = stale;
          this.view.description = staleDescription(undefined, stale);
        }
        this.refresh();
      }),
    ];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /**
   * The backend answers `failures/*` from what it has read, without NATS: during an outage it still
   * answers, with the last known failures, which are listed as such.
   */
  async getChildren(node?: FailureNode): Promise<FailureNode[]> {
    const stale = this.stale;
    if (!this.backend.running || (stale === undefined && !canList(this.backend.state))) {
      // No message: it would hide the welcome, which says why and offers to connect.
      if (!node) this.view.message = undefined;
      return [];
    }
    try {
      if (!node) {
        const signatures = await this.backend.request(FailuresListRequest.type);
        this.listed.fire(signatures);
        this.lastRoots = signatures.map((signature) => ({ kind: 'signature', signature }));
        if (stale !== undefined) this.view.message = staleMessage(stale);
        else this.view.message = signatures.length === 0 ? vscode.l10n.t('No failures within the window.') : undefined;
        return this.lastRoots;
      }
      if (node.kind === 'signature') {
        const jobs = await this.backend.request(FailuresJobsRequest.type, { signatureId: node.signature.id });
        return jobs.map((job) => ({ kind: 'job', signature: node.signature, job }));
      }
      if (node.kind === 'job') return node.job.frames.map((frame) => ({ kind: 'frame' as const, job: node.job, frame })).reverse();
      return [];
    } catch (error) {
      this.log.warn(`Failures view: ${errorText(error)}`);
      if (stale !== undefined) {
        // The stale marking stays; the rows of the last listing are the last known data.
        this.view.message = staleMessage(stale);
        return node ? [] : (this.lastRoots ?? []);
      }
      this.view.message = vscode.l10n.t('Failures could not be listed: {0}', errorText(error));
      return [];
    }
  }

  getTreeItem(node: FailureNode): vscode.TreeItem {
    const item = node.kind === 'signature' ? signatureItem(node.signature) : node.kind === 'job' ? jobItem(node.job) : frameItem(node.frame);
    return this.stale === undefined ? item : dimmed(item);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Where a node's failure was raised: the innermost mapped frame, else the signature's site. */
export function raiseSite(node: FailureNode): FailureSite | null {
  if (node.kind === 'signature') return node.signature.site;
  if (node.kind === 'frame') return node.frame.mapped;
  return [...node.job.frames].reverse().find((frame) => frame.mapped)?.mapped ?? node.signature.site;
}

function signatureItem(signature: FailureSignatureItem): vscode.TreeItem {
  const item = new vscode.TreeItem(`${signature.type}: ${signature.message}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `signature:${signature.id}`;
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  const queues = signature.queues.join(', ');
  item.description = `×${formatCount(signature.count)} · ${formatAge(signature.lastSeen)}${queues ? ` · ${queues}` : ''}`;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${escapeMd(signature.type)}** ${escapeMd(signature.message)}\n\n`);
  const failures = counted(signature.count, vscode.l10n.t('1 failure'), (n) => vscode.l10n.t('{0} failures', n));
  // Translations are trusted Markdown; the values from the stream are escaped.
  tooltip.appendMarkdown(`${vscode.l10n.t('{0}, last {1}', failures, formatAge(signature.lastSeen))}\n\n`);
  if (signature.function) tooltip.appendMarkdown(`${vscode.l10n.t('Raised in {0}', `\`${signature.function}\``)}\n\n`);
  if (queues) tooltip.appendMarkdown(`${vscode.l10n.t('Queues: {0}', escapeMd(queues))}\n\n`);
  if (signature.workers.length) tooltip.appendMarkdown(vscode.l10n.t('Workers: {0}', escapeMd(signature.workers.join(', '))));
  item.tooltip = tooltip;
  item.contextValue = signature.site ? 'naq.failureSignature.mapped' : 'naq.failureSignature';
  return item;
}

function jobItem(job: FailureJobItem): vscode.TreeItem {
  const item = new vscode.TreeItem(job.jobId, job.frames.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon('debug-stackframe');
  item.description = [formatAge(job.time), job.queue, job.worker].filter((part) => part).join(' · ');
  item.tooltip = job.call ? `${callText(job.call)}\n${job.type}: ${job.message}` : `${job.type}: ${job.message}`;
  item.contextValue = 'naq.failureJob';
  item.command = { command: 'naq.openTimeline', title: vscode.l10n.t('Open Timeline'), arguments: [job.jobId] };
  return item;
}

function frameItem(frame: FailureFrameItem): vscode.TreeItem {
  const file = frame.mapped ? vscode.Uri.parse(frame.mapped.uri) : undefined;
  const name = file ? vscode.workspace.asRelativePath(file) : frame.file;
  const item = new vscode.TreeItem(`${frame.function ?? '<module>'}`, vscode.TreeItemCollapsibleState.None);
  item.description = `${name}:${frame.line}`;
  item.tooltip = frame.source ? `${frame.file}:${frame.line}\n${frame.source}` : `${frame.file}:${frame.line}`;
  item.iconPath = new vscode.ThemeIcon(frame.mapped ? 'file-code' : 'library', frame.mapped ? undefined : new vscode.ThemeColor('disabledForeground'));
  item.contextValue = frame.mapped ? 'naq.failureFrame.mapped' : 'naq.failureFrame';
  if (frame.mapped) item.command = { command: 'naq.failures.goToRaiseSite', title: vscode.l10n.t('Go to Raise Site'), arguments: [frame.mapped] };
  return item;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
