/** What the backend is held to at one benchmark size. */
export interface BackendTargets {
  /** Cold build, events per second, and as a multiple of nats.js's ordered consumer in the same run. */
  buildRate: number;
  buildToOrdered: number;
  timelineP99Ms: number;
  pageP99Ms: number;
  rssMb: number;
  restartMs: number;
}

export interface BenchSize {
  name: string;
  jobs: number;
  targets: BackendTargets;
}

/**
 * `1m` is issue 3's run (the one CI keeps); `10m` is the seed stream's own message limit (issue 15),
 * where the stream evicts its oldest events while the benchmark fills it.
 */
export const SIZES: Record<string, BenchSize> = {
  '1m': { name: '1m', jobs: 200_000, targets: { buildRate: 100_000, buildToOrdered: 0, timelineP99Ms: 50, pageP99Ms: 50, rssMb: 300, restartMs: 1000 } },
  '10m': { name: '10m', jobs: 2_000_000, targets: { buildRate: 100_000, buildToOrdered: 1.0, timelineP99Ms: 25, pageP99Ms: 20, rssMb: 300, restartMs: 1000 } },
};
