/** The CLI's command table is the one source of parsing, dispatch and usage; the usage and the README agree with it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCli } from '../../server/src/cli/args';
import { CLI_COMMANDS } from '../../server/src/cli/commandTable';
import { usageText, UsageError } from '../../server/src/cli/usage';
import { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from '../../server/src/config/defaults';

const GLOBAL = ['server', 'stream', 'prefix', 'context', 'creds', 'user', 'password', 'token', 'help'];

test('every command is named once, and its usage shows exactly the options it takes', () => {
  const names = CLI_COMMANDS.map((c) => c.name);
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  for (const command of CLI_COMMANDS) {
    const synopses = command.usage.map((u) => u.synopsis).join(' ');
    for (const line of command.usage) assert.ok(line.synopsis.startsWith(`${command.name} `) || line.synopsis === command.name, line.synopsis);
    const shown = new Set([...synopses.matchAll(/--([a-z-]+)/g)].map((m) => m[1]));
    assert.deepEqual([...shown].filter((o) => !command.options.includes(o as never) && !GLOBAL.includes(o as string)), [], `${command.name} shows options it does not take`);
    assert.deepEqual(command.options.filter((o) => !shown.has(o)), [], `${command.name} takes options its usage does not show`);
  }
});

test('the usage lists every command and the defaults from the one place they live', () => {
  const text = usageText(CLI_COMMANDS);
  for (const command of CLI_COMMANDS) for (const line of command.usage) assert.ok(text.includes(line.synopsis.split('\n')[0] as string), line.synopsis);
  assert.match(text, new RegExp(`--stream NAME {5}default NAQ_NATS_STREAM_NAME, else ${DEFAULT_STREAM_NAME}`));
  assert.match(text, new RegExp(`--prefix SUBJECT {2}default NAQ_NATS_SUBJECT_PREFIX, else ${DEFAULT_SUBJECT_PREFIX.replace(/\./g, '\\.')}`));
  assert.match(text, /^ {2}history JOB_ID \[--json\] {12}the job's events in stream order$/m);
  assert.match(text, /^ {2}stream apply \[--dry-run\] \[--force\] \[--json\]\n {37}print the difference/m);
});

test('parsing follows the table: unknown commands list the known ones, foreign options are refused', () => {
  assert.throws(() => parseCli(['frobnicate'], CLI_COMMANDS), (e: unknown) => e instanceof UsageError && e.message === `unknown command "frobnicate"; commands: ${CLI_COMMANDS.map((c) => c.name).join(', ')}`);
  assert.throws(() => parseCli(['delete', 'j', '--json'], CLI_COMMANDS), /delete does not take --json/);
  assert.deepEqual({ ...parseCli(['stream', 'apply', '--dry-run', '--stream', 'S'], CLI_COMMANDS).values }, { 'dry-run': true, stream: 'S' });
});

test("README's command line section shows every command", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  for (const command of CLI_COMMANDS) assert.match(readme, new RegExp(`^naq-events ${command.name}\\b`, 'm'), command.name);
});
