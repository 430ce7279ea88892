import { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from '../config/defaults';
import { DEFAULT_SERVER_URL } from '../config/serverUrls';
import type { UsageLine } from './commandTable';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a summary starts, after the synopsis. */
const SUMMARY_COLUMN = 37;

function usageEntry({ synopsis, summary }: UsageLine): string[] {
  const synopsisLines = synopsis.split('\n').map((line) => `  ${line}`);
  const [first, ...more] = summary.split('\n');
  const indent = ' '.repeat(SUMMARY_COLUMN);
  const last = synopsisLines.at(-1) as string;
  const lines =
    synopsisLines.length === 1 && last.length < SUMMARY_COLUMN - 1
      ? [`${last.padEnd(SUMMARY_COLUMN)}${first}`]
      : [...synopsisLines, `${indent}${first}`];
  return [...lines, ...more.map((line) => `${indent}${line}`)];
}

/** The help text, from the commands' usage lines and the defaults in `server/src/config/defaults.ts`. */
export function usageText(commands: readonly { usage: readonly UsageLine[] }[]): string {
  return [
    'naq-events: NAQ job events on NATS JetStream',
    '',
    'Usage: naq-events <command> [options]',
    '',
    'Commands:',
    ...commands.flatMap((command) => command.usage.flatMap(usageEntry)),
    '',
    'Global options:',
    `  --server URL      default NAQ_EVENT_STORAGE_URL, else ${DEFAULT_SERVER_URL}`,
    `  --stream NAME     default NAQ_NATS_STREAM_NAME, else ${DEFAULT_STREAM_NAME}`,
    `  --prefix SUBJECT  default NAQ_NATS_SUBJECT_PREFIX, else ${DEFAULT_SUBJECT_PREFIX}`,
    '  --context NAME    a NATS CLI context',
    '  --creds FILE, --user USER, --password PASS, --token TOKEN',
    '  --help',
    '',
  ].join('\n');
}
