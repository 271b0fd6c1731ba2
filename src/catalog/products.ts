// A product created or edited by hand (coordinators: any of the group's; producers: their own).
import { auditStaff, type Actor } from '../orders/actor.js';
import { recordEvent } from '../orders/events.js';
import { isUniqueViolation, type Prisma, type Tx } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { pricingProblems } from './pricing.js';

export type ProductRecord = Omit<Prisma.ProductUncheckedCreateInput, 'id' | 'groupId' | 'createdAt' | 'updatedAt'> & {
  producerId: string;
  portionGrams: number | null;
  packSize: number | null;
  averageWeightGrams: number | null;
};

/** Saves a product after checking its pricing fields; `onlyProducerId` limits a producer to their own. */
export async function saveCatalogProduct(tx: Tx, ref: { groupId: string; productId: string | null; onlyProducerId?: string }, input: ProductRecord, actor: Actor): Promise<void> {
  const problems = pricingProblems({ ...input, variableWeight: input.variableWeight ?? false, multiWeigh: input.multiWeigh ?? false, unit: input.unit, priceCents: input.priceCents });
  if (problems.length) throw new AppError(problems.join('; '), 'invalid_input', 400, { problems });
  const producer = await tx.producer.findFirst({ where: { id: input.producerId, groupId: ref.groupId } });
  if (!producer || (ref.onlyProducerId !== undefined && producer.id !== ref.onlyProducerId)) throw new NotFoundError('producer', { producerId: input.producerId });
  try {
    let id = ref.productId;
    if (id) {
      const current = await tx.product.findFirst({ where: { id, groupId: ref.groupId, ...(ref.onlyProducerId !== undefined ? { producerId: ref.onlyProducerId } : {}) } });
      if (!current) throw new NotFoundError('product', { productId: id });
      await tx.product.update({ where: { id }, data: input });
    } else {
      id = (await tx.product.create({ data: { groupId: ref.groupId, ...input }, select: { id: true } })).id;
    }
    await recordEvent(tx, ref.groupId, 'catalog.changed', ref.groupId, { what: 'products' });
    await auditStaff(tx, actor, { groupId: ref.groupId, action: ref.productId ? 'product.updated' : 'product.created', entityType: 'Product', entityId: id });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('code already used', 'already_taken', 409, { what: 'code', code: input.code });
    throw err;
  }
}
