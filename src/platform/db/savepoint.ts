import type { Tx } from './client.js';

/**
 * Runs `fn` inside a savepoint of the caller's transaction: if it throws (an order refused for
 * stock or window), only its own writes are undone and the transaction goes on.
 */
export async function withSavepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx.$executeRawUnsafe('SAVEPOINT step');
  try {
    const result = await fn();
    await tx.$executeRawUnsafe('RELEASE SAVEPOINT step');
    return result;
  } catch (err) {
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT step');
    throw err;
  }
}
