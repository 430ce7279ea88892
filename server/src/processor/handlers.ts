import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';
import type { HandlerScope } from './errors';

/** Sync or async; what it returns besides a promise is ignored. */
export type JobEventHandler = (event: JobEvent) => void | PromiseLike<void>;

/** Undoes one registration; calling it again does nothing. */
export type Disposer = () => void;

export interface RegisteredHandler {
  handler: JobEventHandler;
  scope: HandlerScope;
}

/**
 * Per-type and global handler lists. Lists are replaced, never mutated, on add and remove: a dispatch
 * in progress keeps the list it started with, so a handler that removes itself (or another) mid-dispatch
 * neither skips nor repeats anyone, and the change applies from the next event.
 */
export class HandlerRegistry {
  private byType = new Map<EventType, readonly JobEventHandler[]>();
  private global: readonly JobEventHandler[] = [];

  add(type: EventType, handler: JobEventHandler): Disposer {
    this.byType.set(type, [...(this.byType.get(type) ?? []), handler]);
    return this.disposer(() => this.remove(type, handler));
  }

  /** Removes one registration of `handler` for `type`; false when it was not registered. */
  remove(type: EventType, handler: JobEventHandler): boolean {
    const list = this.byType.get(type);
    const next = list && without(list, handler);
    if (!next) return false;
    if (next.length === 0) this.byType.delete(type);
    else this.byType.set(type, next);
    return true;
  }

  addGlobal(handler: JobEventHandler): Disposer {
    this.global = [...this.global, handler];
    return this.disposer(() => this.removeGlobal(handler));
  }

  removeGlobal(handler: JobEventHandler): boolean {
    const next = without(this.global, handler);
    if (!next) return false;
    this.global = next;
    return true;
  }

  /** Handlers for one event: those of its type first, then the global ones, as the seed orders them. */
  forEvent(type: EventType): RegisteredHandler[] {
    const typed = this.byType.get(type) ?? [];
    return [...typed.map((handler) => ({ handler, scope: 'type' as const })), ...this.global.map((handler) => ({ handler, scope: 'global' as const }))];
  }

  /** Registrations in place: per type, or all of them. */
  count(type?: EventType): number {
    if (type !== undefined) return this.byType.get(type)?.length ?? 0;
    let total = this.global.length;
    for (const list of this.byType.values()) total += list.length;
    return total;
  }

  private disposer(remove: () => boolean): Disposer {
    let done = false;
    return () => {
      // Without the flag, a second call would remove another registration of the same function.
      if (done) return;
      done = true;
      remove();
    };
  }
}

/** The list without the last registration of `handler`, or undefined when it is not in the list. */
function without(list: readonly JobEventHandler[], handler: JobEventHandler): JobEventHandler[] | undefined {
  const index = list.lastIndexOf(handler);
  if (index < 0) return undefined;
  return [...list.slice(0, index), ...list.slice(index + 1)];
}
