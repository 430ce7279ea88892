/** The event types the metrics count, by the names the protocol uses. */
export const COUNTED = ['enqueued', 'started', 'completed', 'failed', 'retried', 'timedOut', 'cancelled'] as const;

export type CountedType = (typeof COUNTED)[number];

const byEventType: Record<string, number> = {
  enqueued: 0,
  started: 1,
  retry_started: 1,
  completed: 2,
  failed: 3,
  retry_scheduled: 4,
  timeout: 5,
  cancelled: 6,
};

/** The index of an event type in `COUNTED`, or -1 for a type the metrics do not count. */
export function countedIndex(eventType: string): number {
  return byEventType[eventType] ?? -1;
}

/** Failed or timed out, out of every attempt that ended that way or completed; `at`: where the counts start in `counts`. */
export function failureRate(counts: ArrayLike<number>, at = 0): number | null {
  const failed = (counts[at + 3] as number) + (counts[at + 5] as number);
  const ended = failed + (counts[at + 2] as number);
  return ended === 0 ? null : failed / ended;
}
