/** Queues view: queue → status groups with counts → jobs. */
import * as vscode from 'vscode';
import { JOB_STATUSES, ListQueuesRequest, type IndexChange, type JobStatus, type QueueItem, type StatusCounts } from '../../../server/src/protocol/protocol';
import { counted } from '../util/format';
import { JobTree } from './jobTree';
import { newGroup, type GroupNode, type NaqNode, type QueueNode } from './nodes';
import { STATUS_ORDER } from './render';
import { syncNodes } from './syncNodes';

export function sameCounts(a: StatusCounts, b: StatusCounts): boolean {
  return JOB_STATUSES.every((status) => (a[status] ?? 0) === (b[status] ?? 0));
}

export class QueuesTree extends JobTree {
  private readonly queues = new Map<string, QueueNode>();

  protected listedRoots(): NaqNode[] {
    const count = this.queues.size;
    this.setDescription(count > 0 ? counted(count, vscode.l10n.t('1 queue'), (n) => vscode.l10n.t('{0} queues', n)) : undefined);
    return [...this.queues.values()].sort((a, b) => a.item.name.localeCompare(b.item.name));
  }

  /** Takes a fresh list; returns the queues whose counts changed, or undefined when queues came or went. */
  private update(list: QueueItem[]): QueueNode[] | undefined {
    return syncNodes(
      this.queues,
      list,
      (item) => item.name,
      (item): QueueNode => ({ kind: 'queue', id: `queue/${item.name}`, item, groups: new Map(), parent: undefined }),
      (node, item) => {
        if (node.item.total === item.total && sameCounts(node.item.counts, item.counts)) return false;
        node.item = item;
        return true;
      },
    );
  }

  protected override children(node: NaqNode): Promise<NaqNode[]> | NaqNode[] {
    if (node.kind !== 'queue') return super.children(node);
    const groups: GroupNode[] = [];
    for (const status of STATUS_ORDER) {
      const count = node.item.counts[status] ?? 0;
      if (count === 0) continue;
      groups.push(this.statusGroup(node, status, count));
    }
    return groups;
  }

  private statusGroup(queue: QueueNode, status: JobStatus, count: number): GroupNode {
    let group = queue.groups.get(status);
    if (group === undefined) {
      group = newGroup({ id: `${queue.id}/status/${status}`, role: 'status', status, filter: { queue: queue.item.name, status }, count, parent: queue });
      queue.groups.set(status, group);
    } else if (group.count !== count) {
      group.count = count;
      group.stale = true;
    }
    return group;
  }

  protected *groups(): Iterable<GroupNode> {
    for (const queue of this.queues.values()) yield* queue.groups.values();
  }

  protected rootsAffected(change: IndexChange): boolean {
    return change.queues.length > 0 || change.jobs.length > 0;
  }

  protected async recount(): Promise<NaqNode[] | undefined> {
    return this.update(await this.backend.request(ListQueuesRequest.type));
  }

}
