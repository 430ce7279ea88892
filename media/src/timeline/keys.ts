/** The timeline list's own keys (beyond moving): copy, open and close, failures, time display. */
import * as l10n from '@vscode/l10n';
import type { TimelineRow } from './attempts';
import { isErrorEvent } from './attempts';
import type { TimelineModel } from './model';

export interface KeyActions {
  copy(eventIndex: number): void;
  setExpanded(eventIndex: number, open: boolean): void;
  setActive(rowIndex: number): void;
  nextTimeMode(): void;
  announce(text: string): void;
}

/** Handles a key on row `index`; returns whether it did. */
export function onListKey(model: TimelineModel, actions: KeyActions, event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'shiftKey'>, index: number, row: TimelineRow): boolean {
  if (event.ctrlKey && event.key.toLowerCase() !== 'c') return false;
  switch (event.key) {
    case 'c':
    case 'C':
      if (row.kind !== 'event') return false;
      actions.copy(row.index);
      return true;
    case 'ArrowRight':
      if (row.kind === 'event') actions.setExpanded(row.index, true);
      return true;
    case 'ArrowLeft':
      if (row.kind === 'event' && model.isExpanded(row.index)) actions.setExpanded(row.index, false);
      else {
        const header = groupHeaderBefore(model.rows, index);
        if (header >= 0) actions.setActive(header);
      }
      return true;
    case 'f':
    case 'F':
      jumpToFailure(model, actions, index, event.shiftKey ? -1 : 1);
      return true;
    case 't':
    case 'T':
      actions.nextTimeMode();
      return true;
  }
  return false;
}

function groupHeaderBefore(rows: readonly TimelineRow[], index: number): number {
  for (let i = index - 1; i >= 0; i--) if (rows[i]!.kind !== 'event') return i;
  return -1;
}

function jumpToFailure(model: TimelineModel, actions: KeyActions, from: number, step: 1 | -1): void {
  const { rows, events } = model;
  for (let i = from + step; i >= 0 && i < rows.length; i += step) {
    const row = rows[i]!;
    if (row.kind === 'event' && isErrorEvent(events[row.index]!)) {
      actions.setActive(i);
      return;
    }
  }
  actions.announce(step > 0 ? l10n.t('No later failure') : l10n.t('No earlier failure'));
}
