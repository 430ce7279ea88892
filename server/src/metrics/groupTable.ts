export const OTHER_GROUP = '(other)';

export type GroupKind = 'overall' | 'queue' | 'worker';

/** Group 0 is always the overall one. */
export const OVERALL = 0;

/**
 * The groups aggregates are kept for, as small numbers that index the buckets' cell tables: overall,
 * then each queue and worker in the order first seen. Past `maxGroups` names of a kind the rest count
 * together as `(other)`, which keeps the cell tables bounded.
 */
export class GroupTable {
  private readonly names: string[] = [''];
  private readonly kinds: GroupKind[] = ['overall'];
  private readonly ids = { queue: new Map<string, number>(), worker: new Map<string, number>() };

  constructor(private readonly maxGroups: number) {}

  get size(): number {
    return this.names.length;
  }

  nameOf(group: number): string {
    return this.names[group] as string;
  }

  kindOf(group: number): GroupKind {
    return this.kinds[group] as GroupKind;
  }

  /** The group of a queue or worker name, added when new; `(other)` past the limit. */
  idOf(kind: 'queue' | 'worker', name: string): number {
    const ids = this.ids[kind];
    const known = ids.get(name);
    if (known !== undefined) return known;
    // The limit counts real names; `(other)` itself is one more group.
    const bounded = ids.size >= this.maxGroups + (ids.has(OTHER_GROUP) ? 1 : 0) ? OTHER_GROUP : name;
    const existing = ids.get(bounded);
    if (existing !== undefined) return existing;
    const id = this.names.length;
    this.names.push(bounded);
    this.kinds.push(kind);
    ids.set(bounded, id);
    return id;
  }

  clear(): void {
    this.names.length = 1;
    this.kinds.length = 1;
    this.ids.queue.clear();
    this.ids.worker.clear();
  }
}
