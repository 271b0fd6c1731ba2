import type { Tx } from './client.js';

// each savepoint its own name: rolling back to a name goes to the latest savepoint of that name,
// which for a shared name would be an inner one already done (nested use would undo too little)
let taken = 0;

/**
 * Runs `fn` inside a savepoint of the caller's transaction: if it throws (an order refused for
 * stock or window), only its own writes are undone and the transaction goes on. On success the
 * savepoint is left for the commit to release: a RELEASE would be one more round trip while a
 * confirmation holds its distribution's lock.
 */
export async function withSavepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const name = `step_${(taken = (taken + 1) % 1_000_000)}`;
  await tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
  try {
    return await fn();
  } catch (err) {
    await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
    throw err;
  }
}
