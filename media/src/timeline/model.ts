/**
 * What the timeline page knows: the timeline, its attempts and rows, the expanded events and how
 * times are shown. One object, passed to the modules that draw it. Pure: unit-tested in node.
 */
import type { ShownTimeline, TimelineViewState } from '../../../client/src/webview/messages';
import { spansDays, type TimeContext } from '../lib/time';
import { buildRows, eventKey, groupAttempts, type Grouping, type TimelineRow } from './attempts';

export class TimelineModel {
  timeline: ShownTimeline | null = null;
  /** This job's events older than the first loaded one (not loaded yet). */
  olderCount = 0;
  grouping: Grouping = { preambleEnd: 0, attempts: [] };
  rows: TimelineRow[] = [];
  /** Row index of each event index. */
  rowOfEvent: Int32Array = new Int32Array(0);
  timeContext: TimeContext;
  readonly expanded: Set<string>;
  private runningRows: number[] = [];

  constructor(readonly view: TimelineViewState) {
    this.expanded = new Set(view.expanded);
    this.timeContext = { mode: view.timeMode, origin: 0, withDate: false };
  }

  get events(): ShownTimeline['events'] {
    return this.timeline?.events ?? [];
  }

  /** Takes a new timeline (its newest events, `olderCount` more before them); returns how many events it has beyond the previous one. */
  setTimeline(next: ShownTimeline, olderCount: number): number {
    const added = next.events.length - this.events.length;
    this.timeline = next;
    this.olderCount = olderCount;
    this.view.jobId = next.jobId;
    this.grouping = groupAttempts(next.events);
    this.rows = buildRows(this.grouping, next.events.length);
    this.rowOfEvent = new Int32Array(next.events.length);
    this.runningRows = [];
    this.rows.forEach((row, i) => {
      if (row.kind === 'event') this.rowOfEvent[row.index] = i;
      else if (row.kind === 'attempt' && row.attempt.outcome === 'running') this.runningRows.push(i);
    });
    this.updateTimeContext();
    return added;
  }

  updateTimeContext(): void {
    const events = this.events;
    let first = Infinity;
    let last = -Infinity;
    for (const event of events) {
      if (!Number.isFinite(event.timestamp)) continue;
      first = Math.min(first, event.timestamp);
      last = Math.max(last, event.timestamp);
    }
    const origin = events.length > 0 && Number.isFinite(events[0]!.timestamp) ? events[0]!.timestamp : first;
    this.timeContext = { mode: this.view.timeMode, origin, withDate: spansDays(first, last, this.view.timeMode === 'utc') };
  }

  /** Rows of attempts still running (no outcome yet, the last attempt). */
  runningAttemptRows(): readonly number[] {
    return this.runningRows;
  }

  eventKeyAt(index: number): string {
    const event = this.timeline?.events[index];
    return event ? eventKey(event, index) : `i${index}`;
  }

  isExpanded(index: number): boolean {
    return this.expanded.has(this.eventKeyAt(index));
  }

  /** Flips one event open or closed; returns whether it is now open. */
  toggle(index: number): boolean {
    const key = this.eventKeyAt(index);
    if (this.expanded.delete(key)) return false;
    this.expanded.add(key);
    return true;
  }
}
