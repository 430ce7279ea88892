/** Where the CLI's lines go: a terminal or a pipe that a reader (`| head`) may close early. */
import { printable } from '../model/eventLine';

/**
 * Text for a terminal, whatever produced it: control and bidirectional characters as `\uXXXX` (in JSON,
 * the same escape a parser reads back), the line breaks of multi-line output kept.
 */
export function terminalSafe(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/**
 * Writes lines to `stream`. When its reader has gone (EPIPE), later lines are dropped and `onClosed`
 * runs once, so that the command can end quietly; any other write error stays an error.
 */
export function lineWriter(stream: NodeJS.WritableStream, onClosed: () => void): (line: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (closed) return;
    closed = true;
    onClosed();
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}
