/**
 * A traceback in an expanded event, its frame lines (`File "…", line N` for Python, `at … (file:line:col)` for
 * V8) as buttons that ask the extension to open the frame's file at the line. The webview does not map paths:
 * the extension looks the frame up in the backend's `failures/job` answer and opens the workspace file.
 */
import * as l10n from '@vscode/l10n';
import type { JobEvent } from '../../../server/src/shared/events';
import { append, el } from '../lib/dom';
import type { EventDetailsRenderer } from './rows';

export interface FrameRef {
  file: string;
  line: number;
}

const PYTHON_FRAME = /^\s*(?:[|+]\s*)*File "([^"]+)", line (\d+)/;
const V8_FRAME = /^\s*at (?:.*?\()?((?:\/|[A-Za-z]:\\|file:\/\/)[^():]+(?::[^():]+)*?):(\d+):\d+\)?\s*$/;

/** The file and line a traceback line names, or null for a line that is not a frame. */
export function frameOf(line: string): FrameRef | null {
  const match = PYTHON_FRAME.exec(line) ?? V8_FRAME.exec(line);
  if (!match) return null;
  const lineNo = Number(match[2]);
  return Number.isSafeInteger(lineNo) && lineNo > 0 ? { file: match[1]!, line: lineNo } : null;
}

/** The renderer the timeline page uses for tracebacks; `open` posts the frame to the extension. */
export function linkedTraceback(open: (frame: FrameRef) => void): EventDetailsRenderer {
  return {
    traceback(text: string, _event: JobEvent): HTMLElement {
      const pre = el('pre', { class: 'traceback' });
      for (const line of text.split('\n')) {
        const frame = frameOf(line);
        if (frame) {
          const link = el('a', {
            class: 'traceback-frame',
            text: line,
            attrs: { href: '#', role: 'link', title: l10n.t('Open {0} at line {1}', frame.file, frame.line), 'aria-label': l10n.t('Open {0} at line {1}', frame.file, frame.line) },
          });
          link.addEventListener('click', (event) => {
            event.preventDefault();
            open(frame);
          });
          append(pre, link, '\n');
        } else {
          append(pre, `${line}\n`);
        }
      }
      return pre;
    },
  };
}
