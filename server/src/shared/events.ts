/**
 * The event vocabulary the client and the webviews share with the backend: pure data and functions
 * (no Node, no nats, no vscode), so the extension host and the webviews may import it.
 */
export * from '../model/eventType';
export type { JobEvent, JobEventInit } from '../model/event';
