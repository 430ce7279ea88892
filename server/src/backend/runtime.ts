/**
 * Node options the backend runs with. `--expose-gc` lets the index drop the garbage of a cold build
 * (a whole stream read and decoded) in one collection when the build ends, instead of keeping the
 * memory it peaked at.
 */
export const BACKEND_EXEC_ARGV = ['--expose-gc'];

/** A full collection when the runtime allows it; a no-op otherwise. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
