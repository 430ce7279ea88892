/** How an event type looks: its codicon and the CSS class its colour comes from. Pure. */
import { eventFamily, isFailureType } from '../../../server/src/shared/events';

const icons: Record<string, string> = {
  enqueued: 'inbox',
  dequeued: 'arrow-right',
  started: 'play',
  completed: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
  timeout: 'watch',
  paused: 'debug-pause',
  resumed: 'debug-continue',
  retry_scheduled: 'history',
  retry_started: 'debug-restart',
  max_retries_exceeded: 'error',
  dependency_satisfied: 'references',
  dependency_failed: 'error',
  waiting_for_dependencies: 'references',
  scheduled: 'calendar',
  schedule_triggered: 'calendar',
  schedule_paused: 'debug-pause',
  schedule_resumed: 'debug-continue',
  schedule_deactivated: 'circle-slash',
  schedule_cancelled: 'circle-slash',
  schedule_modified: 'calendar',
  scheduler_error: 'error',
  worker_assigned: 'server-process',
  worker_released: 'server-process',
  queue_priority_changed: 'list-ordered',
  queue_moved: 'arrow-swap',
  ttl_expired: 'clock',
  ttl_extended: 'clock',
  worker_started: 'server-process',
  worker_stopped: 'debug-stop',
  worker_idle: 'server-process',
  worker_busy: 'server-process',
  worker_heartbeat: 'pulse',
  worker_error: 'error',
};

export function iconFor(type: string): string {
  return icons[type] ?? 'symbol-event';
}

/** `tone-error` | `tone-success` | `tone-warning` | `tone-start` | `tone-muted`, then `family-*`. */
export function toneFor(type: string, hasError: boolean): string {
  if (isFailureType(type) || hasError) return 'tone-error';
  if (type === 'completed') return 'tone-success';
  if (type === 'cancelled' || type === 'retry_scheduled' || type === 'schedule_deactivated' || type === 'schedule_cancelled') return 'tone-warning';
  if (type === 'started' || type === 'retry_started') return 'tone-start';
  return 'tone-muted';
}

export function familyClass(type: string): string {
  return `family-${eventFamily(type)}`;
}
