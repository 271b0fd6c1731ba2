// Texts from the delivery lead ("A 12 PAUL", "LISTE", "COURSIERS") and couriers ("OK 12",
// "LIVRE 12", "ECHEC 12 absent"), answered in the same SMS thread, from the worker like residents' texts.
// Anyone else's text, and a courier's text that is not a command, is a resident's: the caller
// passes it on to the conversation.
import type { GroupSummary } from '../catalog/groups.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { courierReply, leadReply, shortWhen } from '../i18n/notices.js';
import { acceptDelivery, assignCourier, findDeliveryByBasket, isOpenDelivery, markDelivered, markFailed } from '../orders/deliveries.js';
import type { Tx } from '../platform/db/client.js';
import { communeOf, firstName, looksLikeCourierCommand, pickCourier, readCourierCommand, readLeadCommand } from './staffCommands.js';
import { ACTIVE_STATUSES } from '../orders/status.js';

export interface StaffSmsInput {
  group: GroupSummary;
  body: string;
}

/** A text's sender when they are the group's delivery lead or one of its couriers (found with the text). */
export interface StaffSender {
  role: 'lead' | 'courier';
  id: string;
  name: string;
}

type Sender = StaffSender;

export type StaffSmsHandler = (tx: Tx, sender: StaffSender, input: StaffSmsInput) => Promise<string | null>;

const LIST_LIMIT = 8;

export function createStaffSms(deps: { now?: () => Date }): StaffSmsHandler {
  const clock = deps.now ?? (() => new Date());

  async function couriersOf(tx: Tx, groupId: string) {
    return tx.courier.findMany({ where: { groupId, active: true }, orderBy: { name: 'asc' } });
  }

  async function leadAnswer(tx: Tx, lead: Sender, group: GroupSummary, body: string, now: Date): Promise<string> {
    const command = readLeadCommand(body);
    if (command.kind === 'help') return leadReply.help();
    if (command.kind === 'couriers') return leadReply.couriers((await couriersOf(tx, group.id)).map((c) => c.name));
    if (command.kind === 'list') {
      const open = await tx.delivery.findMany({
        where: { groupId: group.id, status: 'requested', order: { status: { in: [...ACTIVE_STATUSES] }, distribution: { status: { in: ['scheduled', 'closed'] } } } },
        include: { order: { include: { distribution: true } } },
        orderBy: [{ order: { distribution: { pickupStart: 'asc' } } }, { order: { basketNumber: 'asc' } }],
        take: LIST_LIMIT,
      });
      return leadReply.list(
        open.map((d) => {
          const dist = d.order.distribution;
          const when = shortWhen(dist.deliveryStart ?? dist.pickupStart, dist.deliveryEnd ?? dist.pickupEnd, group.timeZone).split(' ').slice(0, 2).join(' ');
          return `${d.order.basketNumber} ${communeOf(d.address) ?? ''} ${when}`.replace(/\s+/g, ' ');
        }),
      );
    }
    const delivery = await findDeliveryByBasket(tx, group.id, command.basket, now);
    if (!delivery) return leadReply.noSuchDelivery(command.basket);
    if (!isOpenDelivery(delivery.status)) return leadReply.finished(command.basket);
    const couriers = await couriersOf(tx, group.id);
    const picked = pickCourier(couriers, command.courier);
    if ('none' in picked) return leadReply.noSuchCourier('byName' in command.courier ? command.courier.byName.toUpperCase() : String(command.courier.byNumber));
    if ('ambiguous' in picked) return leadReply.ambiguousCourier(('byName' in command.courier ? command.courier.byName : '').toUpperCase(), picked.ambiguous.map((c) => c.name));
    const outcome = await assignCourier(tx, delivery.id, picked.found.id, now, { staffId: lead.id });
    if (outcome === 'unchanged') return leadReply.alreadyAssigned(command.basket, firstName(picked.found.name));
    if (outcome === 'finished') return leadReply.finished(command.basket);
    return leadReply.assigned(command.basket, firstName(picked.found.name));
  }

  async function courierAnswer(tx: Tx, courier: Sender, group: GroupSummary, body: string, now: Date): Promise<string> {
    const command = readCourierCommand(body);
    if (command.kind === 'help') return courierReply.help();
    const delivery = await findDeliveryByBasket(tx, group.id, command.basket, now);
    if (!delivery || delivery.courierId !== courier.id) return courierReply.notYours(command.basket);
    if (command.kind === 'accept') {
      await acceptDelivery(tx, delivery.id, now);
      return courierReply.accepted(command.basket);
    }
    if (command.kind === 'delivered') {
      await markDelivered(tx, delivery.id, now);
      return courierReply.delivered(command.basket);
    }
    await markFailed(tx, delivery.id, command.reason, now);
    return courierReply.failed(command.basket);
  }

  /**
   * The answer to a delivery lead's or a courier's text, in the worker's transaction; null when it
   * is not a command (a courier texting as a resident): the conversation answers it.
   */
  return async (tx, sender, input) => {
    if (sender.role === 'courier' && !looksLikeCourierCommand(input.body)) return null;
    const now = clock();
    // one command of a group's delivery staff at a time: two leads assigning basket 12 at once
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`deliveries:${input.group.id}`}))::text`;
    const answer = sender.role === 'lead' ? await leadAnswer(tx, sender, input.group, input.body, now) : await courierAnswer(tx, sender, input.group, input.body, now);
    return toGsm7(answer);
  };
}
