/**
 * Every request's way in: its parameters checked by {@link requestRules}, its failure turned into a
 * JSON-RPC error whose message a user can act on. An unexpected error (a bug) is logged in full and
 * answered with a plain sentence, so no stack, type error or internal name reaches the client.
 */
import { NatsError } from 'nats';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { EventEncodeError } from '../codec/encode';
import { ConfigError } from '../config/configError';
import { describeNatsError } from '../config/natsErrors';
import { MetricsParamsError } from '../metrics/metricsParams';
import { EventTooLargeError } from '../storage/eventStorage';
import { InvalidIdError } from '../subjects/tokens';
import { TimeoutError } from '../util/timeout';
import { NotConnectedError } from './backend';
import { ParamError } from './paramCheck';
import { TailBackfillError, TailPatternError } from './tailSession';
import { checkParams, requestRules } from './requestRules';

/** LSP's code for a request that was valid but could not be carried out. */
const REQUEST_FAILED = -32803;

export function responseError(method: string, error: unknown, log: (message: string) => void): ResponseError<void> {
  if (error instanceof ResponseError) return error;
  if (error instanceof ParamError || error instanceof InvalidIdError || error instanceof EventEncodeError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${error.message}`);
  if (error instanceof TailPatternError || error instanceof TailBackfillError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${error.message}`);
  if (error instanceof MetricsParamsError) return new ResponseError(ErrorCodes.InvalidParams, error.message);
  if (error instanceof NotConnectedError || error instanceof ConfigError) return new ResponseError(REQUEST_FAILED, error.message);
  if (error instanceof EventTooLargeError || error instanceof TimeoutError) {
    return new ResponseError(REQUEST_FAILED, `${method} failed: ${error.message}`);
  }
  if (error instanceof NatsError) return new ResponseError(REQUEST_FAILED, `${method} failed: ${describeNatsError(error, 'request')}`);
  log(`${method} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new ResponseError(ErrorCodes.InternalError, `${method} failed because of an error in the NAQ backend; its log has the details.`);
}

type RuledMethod = keyof typeof requestRules;
type Params<M extends RuledMethod> = ReturnType<(typeof requestRules)[M]>;

/** A handler for a request with parameters: they reach it checked, its errors leave it clean. */
export function guard<M extends RuledMethod, R>(
  method: M,
  log: (message: string) => void,
  handler: (params: Params<M>) => R | Promise<R>,
): (params: unknown) => Promise<R | ResponseError<void>> {
  return async (params) => {
    try {
      return await handler(checkParams(method, params));
    } catch (error) {
      return responseError(method, error, log);
    }
  };
}

/** A handler for a request without parameters. */
export function guard0<R>(method: string, log: (message: string) => void, handler: () => R | Promise<R>): () => Promise<R | ResponseError<void>> {
  return async () => {
    try {
      return await handler();
    } catch (error) {
      return responseError(method, error, log);
    }
  };
}
