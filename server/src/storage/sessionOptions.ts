import { ConnectionSettings, jetStreamOptions, toConnectOptions } from '../config/connection';
import type { SessionOptions } from './session';

/** Session options from resolved connection settings and the stream's name and prefix. */
export function sessionOptions(settings: ConnectionSettings, stream: { streamName: string; subjectPrefix: string }): SessionOptions {
  return {
    connection: toConnectOptions(settings),
    jetstream: jetStreamOptions(settings),
    streamName: stream.streamName,
    subjectPrefix: stream.subjectPrefix,
    timeoutMs: settings.timeoutMs,
  };
}
