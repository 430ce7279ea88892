/** Job status names and the status an event leads to: pure, shared with the client. */
export * from '../index/jobStatus';
