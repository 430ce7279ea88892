export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `naq-events: NAQ job events on NATS JetStream

Usage: naq-events <command> [options]

Commands:
  emit --job ID --type TYPE [--worker W] [--worker-type T] [--queue Q] [--duration-ms N]
       [--error-type E] [--error-message M] [--message TEXT]
                         store one event; prints {"seq":N,"subject":"..."}
  history JOB_ID [--json]            the job's events in stream order
  tail [SUBJECT_PATTERN] [--type T] [--json]
                                     live events until Ctrl-C
  jobs [--queue Q] [--worker W] [--status S] [--json]
                                     jobs with their current status
  stats [--json]                     started, completed, failed, average duration, usage
  stats --since 1h [--until 10m] [--by queue|worker] [--json]
                                     counts, failure rate, run-time and queue-wait p50/p95/p99
  health [--json]                    server, JetStream account and stream state
  delete JOB_ID                      delete every event of one job
  stream show [--json]               the stream's configuration, state and what it degrades
  stream apply [--dry-run] [--force] [--json]
                                     print the difference to the seed's limits, then create or update
                                     the stream; shortening or lowering a limit needs --force
  bench [--events N] [--json]        logger throughput next to the server's ceiling

Global options:
  --server URL      default NAQ_EVENT_STORAGE_URL, else nats://127.0.0.1:4222
  --stream NAME     default NAQ_NATS_STREAM_NAME, else NAQ_JOB_EVENTS
  --prefix SUBJECT  default NAQ_NATS_SUBJECT_PREFIX, else naq.jobs.events
  --context NAME    a NATS CLI context
  --creds FILE, --user USER, --password PASS, --token TOKEN
  --help
`;
