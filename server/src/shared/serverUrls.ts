/** Server URL parsing and redaction: pure, shared with the client to show a URL without its password. */
export * from '../config/serverUrls';
