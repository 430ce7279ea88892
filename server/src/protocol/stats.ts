/** The seed's analytics dashboard metrics, over the indexed events. */
import { RequestType0 } from 'vscode-languageserver-protocol';

export interface JobStats {
  jobsStarted: number;
  jobsCompleted: number;
  jobsFailed: number;
  totalDurationMs: number;
  /** Total duration over completed jobs; null before the first completion. */
  averageDurationMs: number | null;
  /** Started jobs per worker. */
  workerUsage: Record<string, number>;
  /** Enqueued jobs per queue. */
  queueUsage: Record<string, number>;
  /** Events indexed; those deleted through NAQ are taken back, those that expire are not. */
  eventsSeen: number;
}

export namespace StatsRequest {
  /** Client → server: the metrics now. */
  export const method = 'stats/get';
  export const type = new RequestType0<JobStats, void>(method);
}
