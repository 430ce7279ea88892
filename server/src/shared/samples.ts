/** The sample scenarios the emit templates offer: pure data built from the event factories. */
export * from '../model/samples';
