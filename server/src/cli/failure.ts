import { describeNatsError, type ErrorMoment } from '../config/natsErrors';

/**
 * One line that names what went wrong, for any error a command can end with: NATS errors as
 * {@link describeNatsError} words them (a denied publish names the operation and the subject, a refused
 * connection the address), anything else by its message.
 */
export function describeFailure(error: unknown, moment: ErrorMoment): string {
  return describeNatsError(error, moment);
}
