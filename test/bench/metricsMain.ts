import { benchMetrics, metricsEvents } from './metricsBench';
import { report } from './stats';

/** The metrics part of `npm run bench` alone (no nats-server, no editor): `npm run bench:metrics`. */
const ok = report(`metrics aggregates on ${metricsEvents()} events, in-process`, benchMetrics());
console.log(ok ? '\nall targets met' : '\nsome targets missed');
process.exitCode = ok ? 0 : 1;
