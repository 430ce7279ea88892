/** The seed's analytics dashboard metrics, over the indexed events. */
import { RequestType0 } from 'vscode-languageserver-protocol';

export interface JobStats {
  /** Jobs that started at least one attempt. */
  jobsStarted: number;
  /** Jobs whose status is running: started, no outcome yet. */
  jobsRunning: number;
  /** Jobs whose status is completed. */
  jobsCompleted: number;
  /** Jobs whose status is failed. */
  jobsFailed: number;
  /** Sum of the completed jobs' last `duration_ms`. */
  totalDurationMs: number;
  /** `totalDurationMs` over the completed jobs that gave a duration; null when none did. */
  averageDurationMs: number | null;
  /** Jobs per worker, every worker a job ran an attempt on. */
  workerUsage: Record<string, number>;
  /** Jobs per queue: the queue named last by a job's events. */
  queueUsage: Record<string, number>;
  /** Job events the index holds (an undecodable payload on a job's subject included). */
  eventsSeen: number;
}

export namespace StatsRequest {
  /** Client → server: the metrics now. */
  export const method = 'stats/get';
  export const type = new RequestType0<JobStats, void>(method);
}
