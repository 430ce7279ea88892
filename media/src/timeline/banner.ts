/** Above the list: the job's last error (with its traceback) and the events that could not be decoded. */
import * as l10n from '@vscode/l10n';
import type { ShownTimeline } from '../../../client/src/webview/messages';
import type { JobEvent } from '../../../server/src/shared/events';
import { append, button, clear, el, icon } from '../lib/dom';
import { formatEventTime } from '../lib/time';
import { attemptLabel, errorText, headlineError, tracebackOf } from './attempts';
import type { TimelineModel } from './model';

export function renderErrorBanner(banner: HTMLElement, model: TimelineModel, goToEvent: (index: number) => void): void {
  clear(banner);
  const events = model.events;
  const headline = headlineError(events);
  if (!headline) {
    banner.hidden = true;
    return;
  }
  // The error itself (type, message, traceback), and what finally happened if that came after it
  // (e.g. max_retries_exceeded, which carries no error of its own).
  const index = headline.error >= 0 ? headline.error : headline.final;
  const event = events[index]!;
  const final = events[headline.final]!;
  const { attempts } = model.grouping;
  const attempt = attempts.find((a) => index >= a.start && index < a.end);
  const traceback = tracebackOf(event);
  const where = (e: JobEvent, withAttempt: boolean) =>
    [e.event_type, withAttempt && attempt ? attemptLabel(attempt, attempts.length) : null, e.worker_id ? l10n.t('worker {0}', e.worker_id) : null, e.nats_sequence !== null ? `#${e.nats_sequence}` : null, formatEventTime(e.timestamp, model.timeContext)]
      .filter(Boolean)
      .join(' · ');
  append(
    banner,
    el(
      'div',
      { class: 'error-title' },
      icon('error'),
      el('span', { class: 'error-text', text: errorText(event) ?? event.message ?? event.event_type }),
      el('span', { class: 'grow' }),
      button('arrow-down', l10n.t('Show event'), () => goToEvent(index)),
    ),
    el('div', { class: 'muted small', text: where(event, true) }),
    headline.final !== index ? el('div', { class: 'error-final', text: final.message ? l10n.t('Then {0}: {1}', where(final, false), final.message) : l10n.t('Then {0}', where(final, false)) }) : null,
  );
  if (traceback) {
    append(banner, el('details', { class: 'traceback-details' }, el('summary', { text: l10n.t('Traceback') }), el('pre', { class: 'traceback', text: traceback })));
  }
  banner.hidden = false;
}

const PROBLEMS_SHOWN = 200;

export function renderProblems(problems: HTMLDetailsElement, t: ShownTimeline): void {
  clear(problems);
  problems.hidden = t.problems.length === 0;
  if (t.problems.length === 0) return;
  const n = t.problems.length;
  problems.open = n <= 5;
  append(problems, el('summary', {}, icon('warning'), el('span', { text: ` ${n} event${n === 1 ? '' : 's'} of this job could not be decoded` })));
  const ul = el('ul', { class: 'problem-list' });
  for (const problem of t.problems.slice(0, PROBLEMS_SHOWN)) {
    append(
      ul,
      el(
        'li',
        {},
        el('span', { class: 'mono', text: problem.seq === null ? '#?' : `#${problem.seq}` }),
        ' ',
        problem.subject ? el('span', { class: 'mono muted', text: problem.subject }) : null,
        ' ',
        el('span', { text: problem.message }),
      ),
    );
  }
  if (n > PROBLEMS_SHOWN) append(ul, el('li', { class: 'muted', text: `… and ${n - PROBLEMS_SHOWN} more` }));
  problems.appendChild(ul);
}
