/**
 * A browser entry for tests of the timeline page: the real `TimelinePage` with a stand-in host and a
 * manual clock that the test moves (`window.__timeline.clock.advance(ms)`), so durations that tick
 * are checked without waiting for time.
 */
import type { TimelineMessage, TimelineViewState, ToTimeline } from '../../client/src/webview/messages';
import type { Clock } from '../../media/src/timeline/clock';
import { TimelinePage } from '../../media/src/timeline/page';

interface Timer {
  at: number;
  run: () => void;
  every: number | null;
}

class ManualClock implements Clock {
  private timers = new Map<number, Timer>();
  private nextHandle = 1;

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): number {
    return this.add({ at: this.time + ms, run, every: null });
  }

  clearTimeout(handle: number): void {
    this.timers.delete(handle);
  }

  setInterval(run: () => void, ms: number): number {
    return this.add({ at: this.time + ms, run, every: Math.max(1, ms) });
  }

  clearInterval(handle: number): void {
    this.timers.delete(handle);
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, Timer] | null = null;
      for (const entry of this.timers) if (entry[1].at <= end && (due === null || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      const [handle, timer] = due;
      this.time = timer.at;
      if (timer.every === null) this.timers.delete(handle);
      else timer.at += timer.every;
      timer.run();
    }
    this.time = end;
  }

  private add(timer: Timer): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, timer);
    return handle;
  }

  set(ms: number): void {
    this.time = ms;
  }
}

const posted: TimelineMessage[] = [];
let state: TimelineViewState | undefined;
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const page = new TimelinePage({
  host: {
    post: (message) => posted.push(message),
    getState: () => state,
    setState: (next) => {
      state = next;
    },
  },
  clock,
  root: document.getElementById('app')!,
});
page.start();

Object.assign(window, {
  __timeline: { clock, posted, send: (message: ToTimeline) => page.onMessage(message) },
});
