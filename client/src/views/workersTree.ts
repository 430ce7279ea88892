/** Workers view: worker → its jobs. */
import * as vscode from 'vscode';
import { ListWorkersRequest, type IndexChange, type WorkerItem } from '../../../server/src/protocol/protocol';
import { counted } from '../util/format';
import { JobTree } from './jobTree';
import { newGroup, type GroupNode, type NaqNode } from './nodes';
import { sameCounts } from './queuesTree';
import { syncNodes } from './syncNodes';

function sameWorker(a: WorkerItem, b: WorkerItem): boolean {
  return a.total === b.total && a.lastState === b.lastState && a.lastSeen === b.lastSeen && sameCounts(a.counts, b.counts);
}

export class WorkersTree extends JobTree {
  private readonly workers = new Map<string, GroupNode>();

  protected listedRoots(): NaqNode[] {
    const count = this.workers.size;
    this.setDescription(count > 0 ? counted(count, vscode.l10n.t('1 worker'), (n) => vscode.l10n.t('{0} workers', n)) : undefined);
    return [...this.workers.values()].sort((a, b) => a.worker!.id.localeCompare(b.worker!.id));
  }

  /** Takes a fresh list; returns the workers that changed, or undefined when workers came or went. */
  private update(list: WorkerItem[]): GroupNode[] | undefined {
    return syncNodes(
      this.workers,
      list,
      (worker) => worker.id,
      (worker) => newGroup({ id: `worker/${worker.id}`, role: 'worker', worker, filter: { worker: worker.id }, count: worker.total, parent: undefined }),
      (node, worker) => {
        if (sameWorker(node.worker!, worker)) return false;
        if (node.worker!.total !== worker.total) node.stale = true;
        node.worker = worker;
        node.count = worker.total;
        return true;
      },
    );
  }

  protected groups(): Iterable<GroupNode> {
    return this.workers.values();
  }

  protected rootsAffected(change: IndexChange): boolean {
    return change.workers.length > 0 || change.jobs.length > 0;
  }

  protected async recount(): Promise<NaqNode[] | undefined> {
    return this.update(await this.backend.request(ListWorkersRequest.type));
  }

}
