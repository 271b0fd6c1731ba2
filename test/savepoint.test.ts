// A refused step undoes only its own writes, however savepoints nest.
import { describe, expect, it } from 'vitest';
import { withSavepoint } from '../src/platform/db/savepoint.js';
import { useTestDatabase } from './helpers/db.js';

describe('withSavepoint', () => {
  it('undoes the whole failed step, an inner step that succeeded included, and keeps what came before', async () => {
    const { db } = await useTestDatabase();
    const group = await db.group.create({ data: { slug: `sp-${Date.now()}`, name: 'Avant' } });
    await db.$transaction(async (tx) => {
      await tx.group.update({ where: { id: group.id }, data: { name: 'Gardé' } });
      const outcome = await withSavepoint(tx, async () => {
        await tx.group.update({ where: { id: group.id }, data: { name: 'Etape' } });
        await withSavepoint(tx, () => tx.group.update({ where: { id: group.id }, data: { name: 'Interne' } }));
        throw new Error('refused');
      }).catch((err: Error) => err.message);
      expect(outcome).toBe('refused');
      // a second step after it, which succeeds, stays
      await withSavepoint(tx, () => tx.group.update({ where: { id: group.id }, data: { voiceName: 'Polly.Lea' } }));
    });
    expect(await db.group.findUniqueOrThrow({ where: { id: group.id }, select: { name: true, voiceName: true } })).toEqual({ name: 'Gardé', voiceName: 'Polly.Lea' });
  });
});
