/** How each tree element looks: labels, counts, theme-coloured status icons, escaped tooltips. */
import * as vscode from 'vscode';
import type { JobItem, JobStatus, StatusCounts, WorkerItem } from '../../../server/src/protocol/protocol';
import { counted, formatAge, formatCount, formatTime } from '../util/format';
import type { GroupNode, JobNode, MessageNode, MoreNode, NaqNode, QueueNode } from './nodes';

/** Display order of status groups: what needs attention first. */
export const STATUS_ORDER: readonly JobStatus[] = [
  'failed',
  'running',
  'retrying',
  'queued',
  'waiting',
  'scheduled',
  'paused',
  'completed',
  'cancelled',
  'expired',
  'unknown',
];

const STATUS_ICONS: Record<JobStatus, [icon: string, color: string | undefined]> = {
  failed: ['error', 'testing.iconFailed'],
  running: ['play-circle', 'charts.blue'],
  retrying: ['debug-restart', 'charts.orange'],
  queued: ['circle-outline', 'testing.iconQueued'],
  waiting: ['watch', 'testing.iconQueued'],
  scheduled: ['calendar', 'charts.purple'],
  paused: ['debug-pause', 'charts.yellow'],
  completed: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', 'testing.iconSkipped'],
  expired: ['clock', 'testing.iconSkipped'],
  unknown: ['question', 'disabledForeground'],
};

/**
 * A stale row (an outage) is dimmed: a tree item has no style of its own, its icon's colour is what
 * can change. Every tree that keeps its rows during an outage draws them through this.
 */
export function dimmed(item: vscode.TreeItem): vscode.TreeItem {
  if (item.iconPath instanceof vscode.ThemeIcon) item.iconPath = new vscode.ThemeIcon(item.iconPath.id, new vscode.ThemeColor('disabledForeground'));
  return item;
}

export function statusIcon(status: JobStatus): vscode.ThemeIcon {
  const [icon, color] = STATUS_ICONS[status] ?? STATUS_ICONS.unknown;
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** A status group's name; a status this version does not know is shown as the stream has it, capitalised. */
export function statusLabel(status: JobStatus): string {
  switch (status) {
    case 'failed':
      return vscode.l10n.t('Failed');
    case 'running':
      return vscode.l10n.t('Running');
    case 'retrying':
      return vscode.l10n.t('Retrying');
    case 'queued':
      return vscode.l10n.t('Queued');
    case 'waiting':
      return vscode.l10n.t('Waiting');
    case 'scheduled':
      return vscode.l10n.t('Scheduled');
    case 'paused':
      return vscode.l10n.t('Paused');
    case 'completed':
      return vscode.l10n.t('Completed');
    case 'cancelled':
      return vscode.l10n.t('Cancelled');
    case 'expired':
      return vscode.l10n.t('Expired');
    case 'unknown':
      return vscode.l10n.t('Unknown');
    default:
      return String(status).charAt(0).toUpperCase() + String(status).slice(1);
  }
}

/** "12 jobs" */
export function jobCount(total: number): string {
  return counted(total, vscode.l10n.t('1 job'), (n) => vscode.l10n.t('{0} jobs', n));
}

const FAILURE_STATUSES = new Set<JobStatus>(['failed', 'retrying', 'expired']);

/** "12 jobs · 3 failed · 2 running" */
export function countsSummary(total: number, counts: StatusCounts): string {
  const parts = [jobCount(total)];
  const failed = counts.failed ?? 0;
  const running = counts.running ?? 0;
  if (failed > 0) parts.push(vscode.l10n.t('{0} failed', formatCount(failed)));
  if (running > 0) parts.push(vscode.l10n.t('{0} running', formatCount(running)));
  return parts.join(' · ');
}

function countsTooltip(title: string, total: number, counts: StatusCounts, extra: string[] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown('**');
  md.appendText(title);
  md.appendMarkdown('**\n\n');
  for (const line of extra) {
    md.appendText(line);
    md.appendMarkdown('\n\n');
  }
  md.appendText(jobCount(total));
  md.appendMarkdown('\n');
  for (const status of STATUS_ORDER) {
    const n = counts[status] ?? 0;
    if (n === 0) continue;
    md.appendMarkdown(`\n- $(${STATUS_ICONS[status][0]}) `);
    md.appendText(vscode.l10n.t('{0}: {1}', statusLabel(status), formatCount(n)));
  }
  return md;
}

function queueItem(node: QueueNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.item.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.description = countsSummary(node.item.total, node.item.counts);
  item.iconPath = new vscode.ThemeIcon('layers');
  item.tooltip = countsTooltip(vscode.l10n.t('Queue {0}', node.item.name), node.item.total, node.item.counts);
  item.contextValue = 'naq.queue';
  return item;
}

const WORKER_STATE_ICONS: Record<string, [string, string | undefined]> = {
  worker_busy: ['server-process', 'charts.blue'],
  worker_idle: ['server-process', undefined],
  worker_started: ['server-process', undefined],
  worker_heartbeat: ['server-process', undefined],
  worker_stopped: ['server-process', 'disabledForeground'],
  worker_error: ['server-process', 'testing.iconFailed'],
};

function workerDescription(worker: WorkerItem): string {
  const parts: string[] = [];
  if (worker.lastState) parts.push(worker.lastState.replace(/^worker_/, ''));
  parts.push(countsSummary(worker.total, worker.counts));
  // lastSeen comes from worker lifecycle events; 0 when the worker logs none.
  if (worker.lastSeen > 0) parts.push(vscode.l10n.t('seen {0}', formatAge(worker.lastSeen)));
  return parts.join(' · ');
}

function groupItem(node: GroupNode): vscode.TreeItem {
  switch (node.role) {
    case 'worker': {
      const worker = node.worker!;
      const item = new vscode.TreeItem(worker.id, vscode.TreeItemCollapsibleState.Collapsed);
      const [icon, color] = (worker.lastState && WORKER_STATE_ICONS[worker.lastState]) || ['server-process', undefined];
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
      item.description = workerDescription(worker);
      item.tooltip = countsTooltip(vscode.l10n.t('Worker {0}', worker.id), worker.total, worker.counts, [
        vscode.l10n.t('Last state: {0}', worker.lastState ?? vscode.l10n.t('not reported')),
        worker.lastSeen > 0
          ? vscode.l10n.t('Last seen: {0} ({1})', formatTime(worker.lastSeen), formatAge(worker.lastSeen))
          : vscode.l10n.t('Last seen: no worker lifecycle events'),
      ]);
      item.contextValue = 'naq.worker';
      item.id = node.id;
      return item;
    }
    case 'search': {
      const item = new vscode.TreeItem(vscode.l10n.t('Search: {0}', node.search ?? ''), vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('search');
      item.description = node.page ? counted(node.page.total, vscode.l10n.t('1 match'), (n) => vscode.l10n.t('{0} matches', n)) : undefined;
      item.tooltip = new vscode.MarkdownString().appendText(vscode.l10n.t('Jobs whose id or last error contains "{0}"', node.search ?? ''));
      item.contextValue = 'naq.search';
      item.id = node.id;
      return item;
    }
    case 'status': {
      const status = node.status ?? 'unknown';
      const item = new vscode.TreeItem(statusLabel(status), vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = statusIcon(status);
      item.description = formatCount(node.count);
      item.tooltip = node.parent
        ? vscode.l10n.t('{0} {1} in queue {2}', jobCount(node.count), status, node.parent.item.name)
        : vscode.l10n.t('{0} {1}', jobCount(node.count), status);
      item.contextValue = 'naq.statusGroup';
      item.id = node.id;
      return item;
    }
  }
}

/** What a job row says next to its id; the status is left out when the group already says it. */
export function jobDescription(job: JobItem, statusShown: boolean, now = Date.now()): string {
  const parts: string[] = [];
  if (!statusShown) parts.push(job.status);
  if (job.lastError && FAILURE_STATUSES.has(job.status)) parts.push(job.lastError.type ?? job.lastError.eventType);
  else if (job.lastEventType && job.lastEventType !== job.status) parts.push(job.lastEventType);
  parts.push(formatAge(job.lastTime, now));
  return parts.join(' · ');
}

/** The job's tooltip; every value comes from the stream, so all of it is escaped. */
export function jobTooltip(job: JobItem): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`$(${STATUS_ICONS[job.status]?.[0] ?? 'question'}) **`);
  md.appendText(job.jobId);
  md.appendMarkdown('** — ');
  md.appendText(job.status);
  md.appendMarkdown('\n\n');
  const rows: [string, string][] = [];
  if (job.queue) rows.push([vscode.l10n.t('Queue'), job.queue]);
  if (job.worker) rows.push([vscode.l10n.t('Worker'), job.worker]);
  rows.push([vscode.l10n.t('Attempts'), String(job.attempts)]);
  rows.push([vscode.l10n.t('Events'), formatCount(job.eventCount)]);
  rows.push([vscode.l10n.t('First event'), formatTime(job.firstTime)]);
  rows.push([vscode.l10n.t('Last event'), vscode.l10n.t('{0} at {1} ({2})', job.lastEventType || '?', formatTime(job.lastTime), formatAge(job.lastTime))]);
  if (job.lastMessage) rows.push([vscode.l10n.t('Message'), job.lastMessage]);
  for (const [name, value] of rows) {
    md.appendMarkdown('**');
    md.appendText(vscode.l10n.t('{0}:', name));
    md.appendMarkdown('** ');
    md.appendText(value);
    md.appendMarkdown('  \n');
  }
  if (job.lastError) {
    md.appendMarkdown('\n**');
    md.appendText(vscode.l10n.t('Last error'));
    md.appendMarkdown('** (');
    md.appendText(job.lastError.eventType);
    md.appendMarkdown('):\n\n');
    const text = [job.lastError.type, job.lastError.message].filter((s) => s).join(': ') || vscode.l10n.t('(no details)');
    md.appendCodeblock(text.length > 1000 ? `${text.slice(0, 1000)}…` : text, 'text');
  }
  md.appendMarkdown('\n_');
  md.appendText(vscode.l10n.t('Click to open the timeline'));
  md.appendMarkdown('_');
  return md;
}

/** A job row; its tooltip (jobTooltip) comes on hover, from JobTree.resolveTreeItem. */
function jobItem(node: JobNode): vscode.TreeItem {
  const job = node.job;
  const item = new vscode.TreeItem(job.jobId, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = statusIcon(job.status);
  item.description = jobDescription(job, node.parent.role === 'status');
  item.contextValue = 'naq.job';
  item.command = { command: 'naq.openTimeline', title: vscode.l10n.t('Open Timeline'), arguments: [job.jobId] };
  item.accessibilityInformation = { label: vscode.l10n.t('Job {0}, {1}, {2}', job.jobId, job.status, String(item.description)) };
  return item;
}

function moreItem(node: MoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const page = node.parent.page;
  if (page) item.description = vscode.l10n.t('{0} of {1} shown', formatCount(page.jobs.length), formatCount(page.total));
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.command = { command: 'naq.loadMore', title: vscode.l10n.t('Load More'), arguments: [node] };
  item.contextValue = 'naq.more';
  return item;
}

function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  if (node.detail) item.tooltip = node.detail;
  item.contextValue = 'naq.message';
  return item;
}

export function renderNode(node: NaqNode): vscode.TreeItem {
  switch (node.kind) {
    case 'queue':
      return queueItem(node);
    case 'group':
      return groupItem(node);
    case 'job':
      return jobItem(node);
    case 'more':
      return moreItem(node);
    case 'message':
      return messageItem(node);
  }
}
