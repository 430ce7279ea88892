/**
 * Every command of `naq-events` in one table: the options it takes, what it opens, how it runs, and
 * its usage lines. Parsing, dispatch and the usage text are all derived from it.
 */
import type { EventStorage } from '../storage/eventStorage';
import type { NatsSession } from '../storage/session';
import type { CliArgs, OptionName } from './args';
import { bench } from './commands/bench';
import { deleteJob } from './commands/delete';
import { emit } from './commands/emit';
import { health } from './commands/health';
import { history } from './commands/history';
import { jobs } from './commands/jobs';
import { stats } from './commands/stats';
import { stream } from './commands/stream';
import { tail } from './commands/tail';
import type { CliTarget } from './connect';

type Print = (line: string) => void;

/** What every command gets besides what it opens. */
export interface CommandIo {
  args: CliArgs;
  print: Print;
  warn: Print;
  /** Aborted by Ctrl-C, or when the reader of the output has gone. */
  signal: AbortSignal;
}

/**
 * What a command works on: the event storage (which creates a missing stream with the seed's limits),
 * a session that leaves the stream alone, or only the resolved target (it connects by itself).
 */
export type CommandRun =
  | { opens: 'storage'; run: (storage: EventStorage, io: CommandIo) => Promise<void> }
  | { opens: 'session'; run: (session: NatsSession, io: CommandIo) => Promise<void> }
  | { opens: 'nothing'; run: (target: CliTarget, io: CommandIo) => Promise<void> };

export interface UsageLine {
  /** After `naq-events `; a line break continues the synopsis on the next line. */
  synopsis: string;
  /** A line break continues it on the next line. */
  summary: string;
}

export interface CliCommand {
  name: string;
  /** The options it takes besides the global ones; anything else is a usage error. */
  options: readonly OptionName[];
  usage: readonly UsageLine[];
  command: CommandRun;
}

export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    name: 'emit',
    options: ['job', 'type', 'worker', 'worker-type', 'queue', 'duration-ms', 'error-type', 'error-message', 'message'],
    usage: [
      {
        synopsis: 'emit --job ID --type TYPE [--worker W] [--worker-type T] [--queue Q] [--duration-ms N]\n     [--error-type E] [--error-message M] [--message TEXT]',
        summary: 'store one event; prints {"seq":N,"subject":"..."}',
      },
    ],
    command: { opens: 'storage', run: (storage, { args, print }) => emit(storage, args, print) },
  },
  {
    name: 'history',
    options: ['json'],
    usage: [{ synopsis: 'history JOB_ID [--json]', summary: "the job's events in stream order" }],
    command: { opens: 'storage', run: (storage, { args, print, warn }) => history(storage, args, print, warn) },
  },
  {
    name: 'tail',
    options: ['type', 'json'],
    usage: [{ synopsis: 'tail [SUBJECT_PATTERN] [--type T] [--json]', summary: 'live events until Ctrl-C' }],
    command: { opens: 'storage', run: (storage, { args, print, warn, signal }) => tail(storage, args, print, warn, signal) },
  },
  {
    name: 'jobs',
    options: ['queue', 'worker', 'status', 'json'],
    usage: [{ synopsis: 'jobs [--queue Q] [--worker W] [--status S] [--json]', summary: 'jobs with their current status' }],
    command: { opens: 'storage', run: (storage, { args, print, warn }) => jobs(storage, args, print, warn) },
  },
  {
    name: 'stats',
    options: ['since', 'until', 'by', 'json'],
    usage: [
      { synopsis: 'stats [--json]', summary: 'started, completed, failed, average duration, usage' },
      { synopsis: 'stats --since 1h [--until 10m] [--by queue|worker] [--json]', summary: 'counts, failure rate, run-time and queue-wait p50/p95/p99' },
    ],
    command: { opens: 'storage', run: (storage, { args, print }) => stats(storage, args, print) },
  },
  {
    name: 'health',
    options: ['json'],
    usage: [{ synopsis: 'health [--json]', summary: 'server, JetStream account and stream state' }],
    command: { opens: 'storage', run: (storage, { args, print }) => health(storage, args, print) },
  },
  {
    name: 'delete',
    options: [],
    usage: [{ synopsis: 'delete JOB_ID', summary: 'delete every event of one job' }],
    command: { opens: 'storage', run: (storage, { args, print }) => deleteJob(storage, args, print) },
  },
  {
    name: 'stream',
    options: ['dry-run', 'force', 'json'],
    usage: [
      { synopsis: 'stream show [--json]', summary: "the stream's configuration, state and what it degrades" },
      {
        synopsis: 'stream apply [--dry-run] [--force] [--json]',
        summary: "print the difference to the seed's limits, then create or update\nthe stream; shortening or lowering a limit needs --force",
      },
    ],
    command: { opens: 'session', run: (session, { args, print }) => stream(session, args, print) },
  },
  {
    name: 'bench',
    options: ['events', 'json'],
    usage: [{ synopsis: 'bench [--events N] [--json]', summary: 'logger throughput next to the server\'s ceiling' }],
    command: { opens: 'nothing', run: (target, { args, print }) => bench(target, args, print) },
  },
];
