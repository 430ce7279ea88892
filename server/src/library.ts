/**
 * The NAQ job event log as a library, for programs of our own beside the backend and the CLI: the event
 * model, its msgpack codec, subjects, the stream's storage, the logger and the processor, all from here
 * (bundled as dist/library.js). Nothing in it needs VS Code or the language server.
 */
export { createEvent, EVENT_FIELDS, isWorkerJobId, nowSeconds, workerJobId } from './model/event';
export type { JobEvent, JobEventInit } from './model/event';
export { eventFamily, isFailureType, isKnownEventType, JobEventType, KNOWN_EVENT_TYPES } from './model/eventType';
export type { EventFamily, EventType, KnownEventType } from './model/eventType';
export { JobEvents } from './model/factories';
export type { ErrorLike } from './model/factories';

export { decodeEvent, EventDecodeError } from './codec/decode';
export { encodeEvent, EventEncodeError } from './codec/encode';

export { allFilter, buildSubject, jobFilter, parseSubject, subjectForEvent, subjectMatches, typeFilters } from './subjects/subject';
export type { ParsedSubject, SubjectShape } from './subjects/subject';
export { checkJobId, checkToken, InvalidIdError } from './subjects/tokens';

export { NatsSession } from './storage/session';
export type { SessionOptions } from './storage/session';
export { EventStorage, EventTooLargeError } from './storage/eventStorage';
export type { Page, StoredRef } from './storage/eventStorage';
export { liveStream } from './storage/liveStream';
export type { LiveStreamOptions, StreamItem } from './storage/liveStream';
export type { ReadResult, StartPosition } from './storage/readResult';

export { AsyncJobEventLogger, FlushError, LoggerStateError } from './logger/eventLogger';
export type { EventLoggerOptions, LoggerStats, NotStored, StopReport } from './logger/eventLogger';

export { EventProcessor } from './processor/eventProcessor';
export type { EventProcessorOptions, ProcessorStats } from './processor/eventProcessor';
export { HandlerError, ProcessorConfigError, ProcessorStreamError } from './processor/errors';
export type { HandlerScope, ProcessorError } from './processor/errors';
export type { Disposer, JobEventHandler } from './processor/handlers';
