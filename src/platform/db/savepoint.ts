import type { Tx } from './client.js';

/**
 * Runs `fn` inside a savepoint of the caller's transaction: if it throws (an order refused for
 * stock or window), only its own writes are undone and the transaction goes on. On success the
 * savepoint is left for the commit to release: a RELEASE would be one more round trip while a
 * confirmation holds its distribution's lock. (Rolling back to "step" undoes to the latest one.)
 */
export async function withSavepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx.$executeRawUnsafe('SAVEPOINT step');
  try {
    return await fn();
  } catch (err) {
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT step');
    throw err;
  }
}
