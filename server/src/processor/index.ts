export { EventProcessor } from './eventProcessor';
export type { EventProcessorOptions, ProcessorStats } from './eventProcessor';
export { HandlerError, ProcessorConfigError, ProcessorStreamError } from './errors';
export type { HandlerScope, ProcessorError } from './errors';
export type { Disposer, JobEventHandler } from './handlers';
export { StreamHandlers } from './streamHandlers';
export type { StoredMessage, StreamHandler } from './streamHandlers';
