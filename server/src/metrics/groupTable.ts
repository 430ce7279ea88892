import type { BlockReader } from '../util/blockReader';
import type { BlockWriter } from '../util/blockWriter';

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

  /** The groups past the overall one, by name and kind, in their order: their numbers are what the buckets' cells name. */
  save(out: BlockWriter): void {
    out.field('groupNames', this.names.slice(1));
    out.field('groupKinds', this.kinds.slice(1));
  }

  /** Takes the groups `save` wrote, numbered as they were; the table must be empty. */
  restore(from: BlockReader): void {
    const names = from.strings('groupNames');
    const kinds = from.strings('groupKinds');
    if (kinds.length !== names.length) throw new Error(`${from.what}: ${names.length} group names but ${kinds.length} kinds`);
    names.forEach((name, i) => {
      const kind = kinds[i];
      if (kind !== 'queue' && kind !== 'worker') throw new Error(`${from.what}: a group of kind ${JSON.stringify(kind)}, not queue or worker`);
      if (this.ids[kind].has(name)) throw new Error(`${from.what}: the ${kind} ${JSON.stringify(name)} twice`);
      this.ids[kind].set(name, this.names.length);
      this.names.push(name);
      this.kinds.push(kind);
    });
  }

  clear(): void {
    this.names.length = 1;
    this.kinds.length = 1;
    this.ids.queue.clear();
    this.ids.worker.clear();
  }
}
