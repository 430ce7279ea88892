/** The subject rules (tokens, filters, tail patterns): pure, shared with the client to check input early. */
export * from '../subjects/subject';
export * from '../subjects/tokens';
export * from '../subjects/tailPattern';
