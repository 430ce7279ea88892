/**
 * The one declaration of what the extension (client) and the backend (server) say to each other,
 * one file per area. Both sides import this index; every method is `area/verb`, declared once,
 * every payload a wire type declared in these files, never a server internal.
 */
export * from './connection';
export * from './jobs';
export * from './events';
export * from './tail';
export * from './stats';
export * from './changes';
export * from './contexts';
export * from './failures';
export * from './metrics';
export * from './stream';
