// One accepted SMS, in the worker's transaction: what the resident asks, what the order service
// decides, the reply. The conversation's state lives in SmsConversation, never in memory.
import { windowState } from '../catalog/window.js';
import { openAndNextAt, type CatalogCache, type CatalogDistribution, type OpenCatalog } from '../catalog/openCatalog.js';
import type { GroupSummary } from '../catalog/groups.js';
import { lineForChoice, type ReadQuestion, type ReadResult, type ReaderProduct } from '../catalog/reading/reader.js';
import { createRequestReader } from '../catalog/reading/requests.js';
import { fold } from '../catalog/reading/normalize.js';
import type { QuantityAsked } from '../catalog/reading/types.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { conversation, joinNames } from '../i18n/conversation.js';
import { dayAndHour, pickupWhen, sms, STATUS_LABELS } from '../i18n/sms.js';
import { OrderWindowClosedError, OutOfStockError } from '../orders/errors.js';
import { openCallTask } from '../orders/callTasks.js';
import { optIn, optOut, recordResidentName, setResidentAddress, usualDelivery } from '../orders/customers.js';
import { checkLines, type OrderService } from '../orders/orderService.js';
import { activeOrderOf, activeOrdersOf, lastPlacedOrderOf, placedStatusFilter } from '../orders/readModels.js';
import type { Tx } from '../platform/db/client.js';
import { withSavepoint } from '../platform/db/savepoint.js';
import { lineTypeOf } from '../platform/phone.js';
import { isDataRequest, recordDataRequest } from '../privacy/dataRequest.js';
import { replyWithFirstContactNotice } from '../privacy/notice.js';
import { saysCorrection } from '../catalog/reading/corrections.js';
import { nameGivenIn } from './names.js';
import { correctLines, additionReply, draftReply, mergeLines, pendingReply, priceReply, unknownPrefix, withinBudget } from './answers.js';
import { readSmsIntent, sameOrder, type ConversationIntent } from './intents.js';
import { cataloguePages, type CatalogProduct, type PendingLine } from './replies.js';

/** A conversation left alone this long starts afresh (RapidPro's default for messaging flows). */
const CONVERSATION_TTL_MS = 3 * 24 * 3600_000;

type State = 'idle' | 'confirm_order' | 'confirm_addition' | 'choose' | 'confirm_cancel';

interface StoredQuestion {
  kind: 'which_product' | 'how_many';
  phrase: string;
  options: string[];
  quantity: QuantityAsked | null;
}

interface ConversationData {
  draftOrderId?: string;
  /** the confirmed order more lines go to */
  orderId?: string;
  lines?: PendingLine[];
  questions?: StoredQuestion[];
  cancelOrderId?: string;
  catalogue?: { topic: string; page: number };
  nameAsked?: boolean;
  awaitingName?: boolean;
  /** a draft or an addition lapses when the order window closes */
  windowClosesAt?: string;
  /** home delivery asked in the order text: requested on OUI ("" = the address on file) */
  delivery?: { address: string };
  /** the order text just before, to tell a re-sent text from a new one */
  lastOrderText?: { text: string; at: string };
}

/** A text re-sent within this delay, identical, is the same order ("no answer seemed to come"). */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** An accepted text, as the worker hands it over. */
export interface InboundText {
  id: string;
  group: GroupSummary;
  from: string;
  to: string;
  body: string;
}

/** The resident and their conversation, as the worker read them with the text (null: a new number). */
export interface ResidentRow {
  id: string;
  name: string | null;
  address: string | null;
  /** set to home delivery: their baskets are brought home unless they say otherwise */
  deliveryByDefault: boolean;
  smsOptedOut: boolean;
  privacyNoticeAt: Date | null;
  conversation: { state: string; data: unknown; expiresAt: Date } | null;
  /** their order in progress that is soonest handed over, read with the text (null: none) */
  /** `weighed`: it holds goods priced at the scales (its total is an estimate) */
  soonestActiveOrder: { id: string; distributionId: string; basketNumber: number | null; estimatedCents: number; weighed: boolean } | null;
}

/** The conversation's kinds of reply: the sender holds back a reply to someone who sent STOP, not its confirmation. */
export type ReplyKind = 'reply' | 'opt_out_confirmation';

export interface ConversationAnswer {
  customerId: string;
  conversation: { state: string; data: object; expiresAt: Date };
  /** null: no reply (a STOP from someone already opted out, anything after STOP) */
  reply: string | null;
  kind: ReplyKind;
  /** the first-contact notice went with the reply: the resident is marked told */
  noticeGiven: boolean;
}

export interface ConversationDeps {
  orders: OrderService;
  catalogs: CatalogCache;
  now?: () => Date;
}

interface Step {
  tx: Tx;
  group: GroupSummary;
  customer: ResidentRow;
  state: State;
  data: ConversationData;
  catalog: OpenCatalog;
  now: Date;
}

type DistributionWithRelay = Pick<CatalogDistribution, 'id' | 'opensAt' | 'closesAt' | 'pickupStart' | 'pickupEnd' | 'deliveryStart' | 'deliveryEnd'> & { relayPoint: { name: string } };

interface StepResult {
  reply: string | null;
  state: State;
  data: ConversationData;
}

const REPLACE = /\bremplac\w*\s+(.+?)\s+par\s+(.+)$/;

export function createSmsConversation(deps: ConversationDeps) {
  const { orders } = deps;
  const clock = deps.now ?? (() => new Date());

  function distributionFor(s: Step) {
    // asked several times while handling one message: looked up once
    // from the catalogue cache (evicted by catalog.changed); an order itself is judged by the order service
    return Promise.resolve(openAndNextAt(s.catalog, s.now));
  }

  function products(s: Step): Map<string, CatalogProduct> {
    return s.catalog.byId as unknown as Map<string, CatalogProduct>;
  }

  async function windowClosedReply(s: Step): Promise<string> {
    const { next } = await distributionFor(s);
    if (!next) return sms.noDistribution(s.group.operatorPhone);
    return sms.windowClosed(dayAndHour(next.opensAt, s.group.timeZone), dayAndHour(next.closesAt, s.group.timeZone));
  }

  function activeOrder(s: Step, distributionId?: string) {
    return activeOrderOf(s.tx, s.customer.id, { distributionId });
  }

  /** Their order in progress for this distribution: known from the text's read when it is the soonest (or there is none). */
  async function activeOrderIn(s: Step, distributionId: string): Promise<{ id: string; basketNumber: number | null; estimatedCents: number; weighed: boolean } | null> {
    const soonest = s.customer.soonestActiveOrder;
    if (soonest === null) return null;
    if (soonest.distributionId === distributionId) return soonest;
    const order = await activeOrder(s, distributionId);
    return order && { ...order, weighed: order.lines.some((l) => l.variableWeight) };
  }

  function questionText(q: StoredQuestion, s: Step): string {
    if (q.kind === 'how_many') return sms.howMany(q.phrase);
    const names = q.options.map((id) => products(s).get(id)?.name ?? '?');
    return sms.whichProduct(q.phrase, names);
  }

  async function dropDraft(s: Step): Promise<void> {
    if (!s.data.draftOrderId) return;
    const draft = await s.tx.order.findUnique({ where: { id: s.data.draftOrderId }, select: { status: true } });
    if (draft?.status === 'draft') await orders.cancelOrder(s.data.draftOrderId, { enforceWindow: false }, s.tx);
  }

  function deliveryWindow(d: DistributionWithRelay, timeZone: string): string | null {
    return d.deliveryStart && d.deliveryEnd ? pickupWhen(d.deliveryStart, d.deliveryEnd, timeZone) : null;
  }

  /** The lines are complete: a draft (or an addition) to confirm with OUI. */
  async function propose(s: Step, lines: PendingLine[], prefix: string, delivery?: { address: string }): Promise<StepResult> {
    const { open } = await distributionFor(s);
    if (!open) return { reply: prefix + (await windowClosedReply(s)), state: 'idle', data: {} };
    // the order's bounds, before anything is proposed (an addition is only priced at OUI)
    checkLines(lines);
    const existing = await activeOrderIn(s, open.id);
    if (existing) {
      return {
        reply: additionReply(lines, products(s), { basket: existing.basketNumber ?? 0, cents: existing.estimatedCents, weighed: existing.weighed }, prefix),
        state: 'confirm_addition',
        data: { orderId: existing.id, lines, windowClosesAt: open.closesAt.toISOString(), delivery },
      };
    }
    await dropDraft(s);
    const draft = await orders.placeOrder(
      { groupId: s.group.id, customerId: s.customer.id, distributionId: open.id, channel: 'sms', confirm: false, lines },
      s.tx,
    );
    const pickup = pickupWhen(open.pickupStart, open.pickupEnd, s.group.timeZone);
    const fulfilment = { pickup, place: open.relayPoint.name, delivery: delivery ? (deliveryWindow(open, s.group.timeZone) ?? '') : null };
    return {
      reply: draftReply(lines, products(s), fulfilment, prefix),
      state: 'confirm_order',
      data: { draftOrderId: draft.id, lines, windowClosesAt: open.closesAt.toISOString(), delivery },
    };
  }

  function storeQuestion(q: ReadQuestion): StoredQuestion {
    return q.kind === 'which_product'
      ? { kind: q.kind, phrase: q.phrase, options: q.options.map((o) => o.id), quantity: q.quantity }
      : { kind: q.kind, phrase: q.phrase, options: q.product ? [q.product.id] : [], quantity: null };
  }

  async function onOrderText(s: Step, asRead: ReadResult, delivery?: { address: string }, body = ''): Promise<StepResult> {
    const { open } = await distributionFor(s);
    const said = fold(body).replace(/['’]/g, ' ');
    // "remplacez les oeufs par un poulet": out go the first, in the second
    const replacing = REPLACE.exec(said);
    const removed = new Set(replacing ? s.catalog.read(replacing[1]!).lines.map((l) => l.product.id) : []);
    const read = replacing && removed.size > 0 ? { ...asRead, lines: s.catalog.read(replacing[2]!).lines } : asRead;
    if (read.lines.length === 0 && read.questions.length === 0) {
      return { reply: unknownPrefix(read.unknown) + sms.notUnderstood(), state: s.state, data: s.data };
    }
    if (!open) return { reply: await windowClosedReply(s), state: 'idle', data: {} };
    const newLines: PendingLine[] = read.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity, requestedGrams: l.requestedGrams, notes: l.notes }));
    // a second text before OUI ("et 2 croissants") adds to what is awaiting confirmation
    const pending = s.state === 'confirm_order' || s.state === 'confirm_addition' || s.state === 'choose' ? (s.data.lines ?? []) : [];
    const lines = removed.size > 0 || saysCorrection(body) ? correctLines(pending, newLines, removed) : mergeLines([...pending, ...newLines]);
    const prefix = unknownPrefix(read.unknown);
    // asked in the text, or already with the list awaiting OUI, or how this resident's baskets always go
    const wanted = delivery ?? (pending.length > 0 ? s.data.delivery : undefined) ?? usualDelivery(s.customer) ?? undefined;
    if (read.questions.length > 0) {
      const questions = read.questions.map(storeQuestion);
      return { reply: prefix + questionText(questions[0]!, s), state: 'choose', data: { ...s.data, lines, questions, delivery: wanted } };
    }
    return propose(s, lines, prefix, wanted);
  }

  async function onNumber(s: Step, value: number, raw: string): Promise<StepResult> {
    const q = s.data.questions?.[0];
    if (s.state !== 'choose' || !q) return onOrderText(s, s.catalog.read(raw));
    let line: PendingLine | null = null;
    if (q.kind === 'which_product') {
      const id = q.options[value - 1];
      const product = id ? products(s).get(id) : undefined;
      if (!product) return { reply: sms.choiceNotUnderstood(q.options.length), state: s.state, data: s.data };
      const read = lineForChoice(product, q.quantity ?? { count: 1, grams: null, litres: null, packs: false });
      line = read ? { productId: product.id, quantity: read.quantity, requestedGrams: read.requestedGrams, notes: read.notes } : null;
    } else if (q.options[0] && value > 0) {
      line = { productId: q.options[0], quantity: value, requestedGrams: null, notes: [] };
    }
    const lines = [...(s.data.lines ?? []), ...(line ? [line] : [])];
    const questions = s.data.questions!.slice(1);
    if (questions.length > 0) return { reply: questionText(questions[0]!, s), state: 'choose', data: { ...s.data, lines, questions } };
    if (lines.length === 0) return { reply: sms.notUnderstood(), state: 'idle', data: {} };
    return propose(s, lines, '', s.data.delivery);
  }

  async function onYes(s: Step): Promise<StepResult> {
    try {
      if (s.state === 'confirm_order' && s.data.draftOrderId) {
        const placed = await withSavepoint(s.tx, () => orders.confirmOrder(s.data.draftOrderId!, s.tx));
        if (s.data.delivery) {
          const asked = await deliverIfAsked(s, placed.id, s.data.delivery);
          return { reply: conversation.confirmedDelivery(placed.basketNumber ?? 0, placed.estimatedCents, placed.weighed, asked), state: 'idle', data: {} };
        }
        // the distribution it was confirmed for is the open one (read once for this text), checked
        const { open } = await distributionFor(s);
        const d = open?.id === placed.distributionId ? open : await s.tx.distribution.findUniqueOrThrow({ where: { id: placed.distributionId }, include: { relayPoint: true } });
        const pickup = pickupWhen(d.pickupStart, d.pickupEnd, s.group.timeZone);
        return { reply: sms.confirmed(placed.basketNumber ?? 0, placed.estimatedCents, placed.weighed, pickup, d.relayPoint.name), state: 'idle', data: {} };
      }
      if (s.state === 'confirm_addition' && s.data.orderId && s.data.lines) {
        const updated = await withSavepoint(s.tx, () => orders.addLines(s.data.orderId!, s.data.lines!, s.tx));
        const added = sms.added(updated.basketNumber ?? 0, updated.estimatedCents, updated.weighed);
        if (!s.data.delivery) return { reply: added, state: 'idle', data: {} };
        const asked = await deliverIfAsked(s, updated.id, s.data.delivery);
        return { reply: `${added} ${asked ? sms.deliveryRequested(asked.address, asked.window) : sms.deliveryAskAddress()}`, state: 'idle', data: {} };
      }
      if (s.state === 'confirm_cancel' && s.data.cancelOrderId) {
        const order = await s.tx.order.findUniqueOrThrow({ where: { id: s.data.cancelOrderId } });
        await withSavepoint(s.tx, () => orders.cancelOrder(order.id, { enforceWindow: true }, s.tx));
        return { reply: sms.cancelled(order.basketNumber ?? 0), state: 'idle', data: {} };
      }
    } catch (err) {
      if (err instanceof OutOfStockError) return onOutOfStock(s, err);
      if (err instanceof OrderWindowClosedError) {
        if (s.state === 'confirm_cancel') return { reply: sms.cancelTooLate(s.group.operatorPhone), state: 'idle', data: {} };
        return { reply: await windowClosedReply(s), state: 'idle', data: {} };
      }
      throw err;
    }
    return { reply: sms.nothingToConfirm(), state: 'idle', data: {} };
  }

  /** Home delivery of a just-confirmed order, at the address given or on file; null: no address yet. */
  async function deliverIfAsked(s: Step, orderId: string, wanted: { address: string }): Promise<{ address: string; window: string | null } | null> {
    const address = wanted.address.trim() || s.customer.address;
    if (!address) return null;
    if (wanted.address.trim()) await setResidentAddress(s.tx, s.customer.id, address);
    await orders.requestDelivery(orderId, address, undefined, s.tx);
    const order = await s.tx.order.findUniqueOrThrow({ where: { id: orderId }, include: { distribution: { include: { relayPoint: true } } } });
    return { address, window: deliveryWindow(order.distribution, s.group.timeZone) };
  }

  /** Offers what is left: the line becomes the remaining quantity, and OUI is asked again. */
  async function onOutOfStock(s: Step, err: OutOfStockError): Promise<StepResult> {
    const lines = (s.data.lines ?? [])
      .map((l) => (l.productId === err.productId ? { ...l, quantity: Math.min(l.quantity, err.remaining), notes: [] } : l))
      .filter((l) => l.quantity > 0);
    const notice = sms.outOfStock(err.productName, err.remaining);
    if (lines.length === 0) {
      await dropDraft(s);
      return { reply: notice, state: 'idle', data: {} };
    }
    return propose(s, lines, `${notice}\n`, s.data.delivery);
  }

  async function onNo(s: Step): Promise<StepResult> {
    if (s.state === 'confirm_cancel') return { reply: sms.kept(), state: 'idle', data: {} };
    // an addition declined: the confirmed basket is untouched, and the resident is told so
    if (s.state === 'confirm_addition' && s.data.orderId) {
      const order = await s.tx.order.findUnique({ where: { id: s.data.orderId }, select: { basketNumber: true } });
      await dropDraft(s);
      if (order?.basketNumber) return { reply: sms.additionDropped(order.basketNumber), state: 'idle', data: {} };
      return { reply: sms.draftDropped(), state: 'idle', data: {} };
    }
    if (s.state === 'confirm_order' || s.state === 'confirm_addition' || s.state === 'choose') {
      await dropDraft(s);
      return { reply: sms.draftDropped(), state: 'idle', data: {} };
    }
    return { reply: sms.nothingToConfirm(), state: 'idle', data: {} };
  }

  async function onStatus(s: Step): Promise<StepResult> {
    // a long draft was summarised with its count and total: SUIVI gives the detail
    if ((s.state === 'confirm_order' || s.state === 'confirm_addition') && s.data.lines?.length) {
      return { reply: pendingReply(s.data.lines, products(s)), state: s.state, data: s.data };
    }
    const list = await s.tx.order.findMany({
      where: { customerId: s.customer.id, status: placedStatusFilter(), distribution: { pickupEnd: { gt: new Date(s.now.getTime() - 2 * 24 * 3600_000) } } },
      include: { distribution: { include: { relayPoint: true } }, lines: { select: { variableWeight: true } } },
      orderBy: { createdAt: 'asc' },
      take: 3,
    });
    if (list.length === 0) return { reply: sms.noOrder(), state: s.state, data: s.data };
    const reply = list
      .map((o) => {
        const d = o.distribution;
        // a delivery order is never told "Retrait", slot or not
        const when =
          o.fulfilment === 'delivery'
            ? conversation.deliveryWanted(deliveryWindow(d, s.group.timeZone))
            : `Retrait ${pickupWhen(d.pickupStart, d.pickupEnd, s.group.timeZone)}, ${d.relayPoint.name}`;
        const final = o.finalCents !== null || !o.lines.some((l) => l.variableWeight);
        return sms.status(o.basketNumber ?? 0, STATUS_LABELS[o.status] ?? o.status, o.finalCents ?? o.estimatedCents, final, when);
      })
      .join('\n');
    return { reply, state: s.state, data: s.data };
  }

  /**
   * The order a resident wants cancelled: the basket they named, else their only one; with several
   * and none named, they are asked which (the soonest is not guessed: a wrong one would be lost).
   */
  async function onCancel(s: Step, basket?: number): Promise<StepResult> {
    const active = await activeOrdersOf(s.tx, s.customer.id);
    if (active.length === 0) {
      // "ANNULER 99" names no basket of theirs: the list awaiting OUI is not dropped on a wrong number
      if (s.data.draftOrderId && basket !== undefined) return { reply: sms.noSuchBasket(basket, []), state: s.state, data: s.data };
      if (s.data.draftOrderId) return onNo({ ...s, state: 'confirm_order' });
      return { reply: sms.noOrder(), state: 'idle', data: {} };
    }
    const numbers = active.map((o) => o.basketNumber ?? 0);
    if (basket === undefined && active.length > 1) return { reply: sms.cancelWhich(numbers), state: 'idle', data: {} };
    const order = basket === undefined ? active[0] : active.find((o) => o.basketNumber === basket);
    if (!order) return { reply: sms.noSuchBasket(basket!, numbers), state: 'idle', data: {} };
    if (windowState(order.distribution, s.now) !== 'open') return { reply: sms.cancelTooLate(s.group.operatorPhone), state: 'idle', data: {} };
    return { reply: sms.cancelAsk(order.basketNumber ?? 0, order.estimatedCents), state: 'confirm_cancel', data: { cancelOrderId: order.id } };
  }

  async function onDelivery(s: Step, address: string): Promise<StepResult> {
    const order = await activeOrder(s);
    if (!order) return { reply: sms.deliveryNoOrder(), state: s.state, data: s.data };
    const where = address.trim() || s.customer.address;
    if (!where) return { reply: sms.deliveryAskAddress(), state: s.state, data: s.data };
    if (address.trim()) await setResidentAddress(s.tx, s.customer.id, address.trim());
    await orders.requestDelivery(order.id, where, undefined, s.tx);
    const d = order.distribution;
    const window = d.deliveryStart && d.deliveryEnd ? pickupWhen(d.deliveryStart, d.deliveryEnd, s.group.timeZone) : null;
    return { reply: sms.deliveryRequested(where, window), state: 'idle', data: {} };
  }

  async function onCatalogue(s: Step, topic: string, page: number): Promise<StepResult> {
    const all = s.catalog.products as unknown as CatalogProduct[];
    if (!topic) {
      const categories = [...new Set(all.map((p) => p.category))];
      return { reply: sms.catalogueCategories(categories), state: s.state, data: s.data };
    }
    const wanted = fold(topic).replace(/s$/, '');
    // a category ("pain", "fromages") or a producer ("boulangerie martin")
    const chosen = all.filter((p) => fold(p.category).includes(wanted) || fold(p.name).startsWith(wanted) || (p.producerName !== undefined && fold(p.producerName).includes(wanted)));
    if (chosen.length === 0) return { reply: sms.catalogueUnknown(topic), state: s.state, data: s.data };
    const pages = cataloguePages(chosen);
    if (page >= pages.length) return { reply: sms.catalogueEnd(), state: s.state, data: { ...s.data, catalogue: undefined } };
    return { reply: sms.cataloguePage([pages[page]!], page + 1 < pages.length), state: s.state, data: { ...s.data, catalogue: { topic, page } } };
  }

  async function onWhen(s: Step): Promise<StepResult> {
    const { open, next } = await distributionFor(s);
    const tz = s.group.timeZone;
    const d = open ?? next;
    if (!d) return { reply: sms.noDistribution(s.group.operatorPhone), state: s.state, data: s.data };
    const pickup = pickupWhen(d.pickupStart, d.pickupEnd, tz);
    const reply = open
      ? conversation.when(pickup, d.relayPoint.name, dayAndHour(d.closesAt, tz), deliveryWindow(d, tz))
      : conversation.whenNext(pickup, d.relayPoint.name, dayAndHour(d.opensAt, tz));
    return { reply, state: s.state, data: s.data };
  }

  /** "enlevez les oeufs": out of the list awaiting OUI, or out of the confirmed order while the window is open. */
  async function onRemove(s: Step, asked: ReaderProduct[]): Promise<StepResult> {
    const ids = new Set(asked.map((p) => p.id));
    const names = (list: { productId: string }[]) => joinNames([...new Set(list.map((l) => products(s).get(l.productId)?.name ?? '?'))]);
    const pending = s.state === 'confirm_order' || s.state === 'confirm_addition' || s.state === 'choose' ? (s.data.lines ?? []) : [];
    if (pending.length > 0) {
      const removed = pending.filter((l) => ids.has(l.productId));
      if (removed.length === 0) return { reply: conversation.notInOrder(joinNames(asked.map((p) => p.name))), state: s.state, data: s.data };
      const kept = pending.filter((l) => !ids.has(l.productId));
      if (kept.length === 0) {
        await dropDraft(s);
        return { reply: conversation.draftEmptied(), state: 'idle', data: {} };
      }
      return propose(s, kept, `${conversation.removedFromDraft(names(removed))}\n`, s.data.delivery);
    }
    const order = await s.tx.order.findFirst({
      where: { customerId: s.customer.id, status: 'confirmed', distribution: { status: 'scheduled' } },
      orderBy: { createdAt: 'desc' },
      include: { lines: true, distribution: true },
    });
    if (!order) return { reply: sms.noOrder(), state: 'idle', data: {} };
    const removed = order.lines.filter((l) => ids.has(l.productId));
    if (removed.length === 0) return { reply: conversation.notInOrder(joinNames(asked.map((p) => p.name))), state: 'idle', data: {} };
    if (windowState(order.distribution, s.now) !== 'open') return { reply: sms.cancelTooLate(s.group.operatorPhone), state: 'idle', data: {} };
    // everything removed: that is a cancellation, asked for with OUI like ANNULER
    if (removed.length === order.lines.length) return onCancel(s);
    const updated = await orders.removeLines(order.id, removed.map((l) => l.productId), s.tx);
    return { reply: conversation.removed(joinNames(removed.map((l) => l.productName)), updated.basketNumber ?? 0, updated.estimatedCents, updated.weighed), state: 'idle', data: {} };
  }

  /** "pareil que la dernière fois": the lines of the last order, still sold, to confirm with OUI. */
  async function onUsual(s: Step): Promise<StepResult> {
    const last = await lastPlacedOrderOf(s.tx, s.customer.id);
    if (!last) return { reply: conversation.noUsual(), state: s.state, data: s.data };
    // this distribution's basket is already ordered: the usual basket again would double it
    const { open } = await distributionFor(s);
    const current = open ? await activeOrderIn(s, open.id) : null;
    if (current) return { reply: conversation.usualAlready(current.basketNumber ?? 0), state: s.state, data: s.data };
    const lines: PendingLine[] = [];
    const gone: string[] = [];
    for (const l of last.lines) {
      const p = products(s).get(l.productId);
      if (!p) gone.push(l.productName);
      // a weight asked for goods sold by the kilo comes back as that weight
      else if (p.unit === 'kg' && !p.multiWeigh && l.quantity === 1 && l.estimatedGrams) lines.push({ productId: p.id, quantity: 1, requestedGrams: l.estimatedGrams, notes: [] });
      else lines.push({ productId: p.id, quantity: l.quantity, requestedGrams: null, notes: [] });
    }
    const prefix = `${conversation.usualPrefix()}\n${gone.length ? `${conversation.usualGone(joinNames(gone))}\n` : ''}`;
    if (lines.length === 0) return { reply: prefix + sms.notUnderstood(), state: s.state, data: s.data };
    return propose(s, lines, prefix);
  }

  async function dispatch(s: Step, intent: ConversationIntent, body: string): Promise<StepResult> {
    switch (intent.kind) {
      case 'greeting':
        return { reply: conversation.greeting(), state: s.state, data: s.data };
      case 'thanks':
        return { reply: conversation.thanks(), state: s.state, data: s.data };
      case 'when':
        return onWhen(s);
      case 'price':
        return { reply: priceReply(intent.products, products(s), s.state === 'confirm_order' || s.state === 'confirm_addition'), state: s.state, data: s.data };
      case 'remove':
        return onRemove(s, intent.products);
      case 'usual':
        return onUsual(s);
      case 'order':
        return onOrderText(s, intent.read, intent.delivery ?? undefined, body);
      case 'unclear':
        return onOrderText(s, intent.read);
      case 'help':
        return { reply: sms.help(), state: s.state, data: s.data };
      case 'catalogue':
        return onCatalogue(s, intent.topic, 0);
      case 'next_page':
        return s.data.catalogue ? onCatalogue(s, s.data.catalogue.topic, s.data.catalogue.page + 1) : onCatalogue(s, '', 0);
      case 'yes':
        return onYes(s);
      case 'no':
        return onNo(s);
      case 'status':
        return onStatus(s);
      case 'cancel':
        return onCancel(s, intent.basket);
      case 'delivery':
        return onDelivery(s, intent.address);
      case 'number':
        return onNumber(s, intent.value, body);
      case 'stop':
      case 'start':
        // answered before dispatch
        return { reply: null, state: s.state, data: s.data };
    }
  }

  /** Stores a name the resident gave when asked; true when the text was taken as a name. */
  /** The name a resident sent when it was asked, kept; null when the text is something else. */
  async function maybeName(s: Step, intent: ConversationIntent, body: string): Promise<string | null> {
    if (!s.data.awaitingName || intent.kind !== 'unclear') return null;
    // "Je m'appelle Jeanne Roux": the name, not the sentence
    const name = nameGivenIn(body, { awaitingName: true }) ?? body.trim().replace(/\s+/g, ' ');
    const looksLikeName = /^[\p{L}][\p{L} .'-]{1,58}$/u.test(name) && name.split(' ').length <= 5 && s.catalog.read(name).lines.length === 0;
    if (!looksLikeName) return null;
    await recordResidentName(s.tx, s.customer.id, name);
    return name;
  }

  /** The resident, created on their first text (the caller holds the lock on their number). */
  async function residentOf(tx: Tx, text: InboundText, known: ResidentRow | null): Promise<ResidentRow> {
    if (known) return known;
    const [created] = await tx.$queryRaw<Omit<ResidentRow, 'conversation'>[]>`
      INSERT INTO "Customer" (id, "groupId", phone, "lineType", "updatedAt")
      VALUES (gen_random_uuid(), ${text.group.id}, ${text.from}, ${lineTypeOf(text.from)}::"LineType", now())
      ON CONFLICT ("groupId", phone) DO UPDATE SET phone = EXCLUDED.phone
      RETURNING id, name, address, "deliveryByDefault", "smsOptedOut", "privacyNoticeAt"`;
    if (!created) throw new Error('customer upsert returned no row');
    return { ...created, conversation: null, soonestActiveOrder: null };
  }

  /**
   * Answers one accepted text, in the caller's transaction, under the resident's lock (see
   * inboundProcessor.ts): what the order service decides, the conversation's next state, the reply.
   * Writes nothing of its own frame: the caller stores the state, the reply and the text's
   * handling in one statement. A rule the resident ran into throws its AppError: the caller rolls
   * back and answers with its sentence, the conversation left where it was.
   */
  async function answer(tx: Tx, text: InboundText, known: ResidentRow | null): Promise<ConversationAnswer> {
    const now = clock();
    const customer = await residentOf(tx, text, known);
    // on the caller's transaction: a pool of one (the embedded database) has no second connection
    const catalog = await deps.catalogs(tx, text.group.id);
    const stored = customer.conversation;
    const fresh = !stored || stored.expiresAt <= now;
    const kept = (stored?.data ?? {}) as ConversationData;
    const s: Step = {
      tx, group: text.group, customer, catalog, now,
      state: fresh ? 'idle' : (stored.state as State),
      data: fresh ? { nameAsked: kept.nameAsked } : kept,
    };
    const pending = s.state === 'confirm_order' || s.state === 'confirm_addition';
    const readRequest = createRequestReader(catalog.read);
    const intent = readSmsIntent(text.body, readRequest, { pending });
    const previous = s.data.lastOrderText;
    // the same text, or other words for exactly the same lines ("bonjour 2 baguettes merci", "2 baguettes svp")
    const resent =
      intent.kind === 'order' && previous !== undefined && now.getTime() - new Date(previous.at).getTime() < DUPLICATE_WINDOW_MS && sameOrder(previous.text, intent, text.body, readRequest);
    let result: StepResult;
    let kind: ReplyKind = 'reply';
    let named: string | null;
    if (intent.kind === 'stop') {
      const stopped = await optOut(tx, customer.id, now);
      result = stopped ? { reply: sms.stopped(), state: 'idle', data: s.data } : { reply: null, state: s.state, data: s.data };
      // the confirmation of STOP itself still leaves (the sender holds back every other reply)
      kind = 'opt_out_confirmation';
    } else if (intent.kind === 'start') {
      await optIn(tx, customer.id);
      result = { reply: sms.started(), state: s.state, data: s.data };
    } else if (isDataRequest(text.body)) {
      // RGPD: what we keep, and a task for the mairie (copy or erasure); asked after STOP, the
      // task is still opened, but nothing is answered
      const reply = await recordDataRequest(tx, { group: text.group, customerId: customer.id, phone: text.from, channel: 'sms' }, { staffId: null });
      result = { reply: customer.smsOptedOut ? null : reply, state: s.state, data: s.data };
    } else if (customer.smsOptedOut) {
      // STOP means silence until START: nothing is answered (Twilio would block it anyway), and an
      // order is not lost: it becomes a task for the operator, who can call
      if (intent.kind === 'order' || intent.kind === 'usual') {
        await openCallTask(tx, { groupId: text.group.id, kind: 'order_to_enter', callerPhone: text.from, customerId: customer.id, note: conversation.afterStop(text.body.trim().slice(0, 500)) });
      }
      result = { reply: null, state: s.state, data: s.data };
    } else if (resent) {
      // the same text again, a few minutes later: the resident thought it was lost, not that they wanted twice as much
      result = { reply: pending ? conversation.duplicate() : conversation.duplicateConfirmed(), state: s.state, data: s.data };
    } else if ((named = await maybeName(s, intent, text.body)) !== null) {
      result = { reply: pending ? conversation.nameSavedPending(named) : sms.nameSaved(named), state: s.state, data: { ...s.data, awaitingName: false } };
    } else {
      result = await dispatch(s, intent, text.body);
      // the name may come a few messages later ("OUI" first): keep listening for it
      result.data = { ...result.data, nameAsked: s.data.nameAsked, awaitingName: s.data.awaitingName };
      // a name given in passing ("je suis Mme Roux, je voudrais…", "Oui. Mme Durand") is kept, and not asked again
      const given = customer.name ? null : nameGivenIn(text.body, { awaitingName: Boolean(s.data.awaitingName) });
      if (given && s.catalog.read(given).lines.length === 0) {
        await recordResidentName(tx, customer.id, given);
        result.data = { ...result.data, nameAsked: true, awaitingName: false };
      } else if (!customer.name && !s.data.nameAsked && result.reply) {
        // a first message from someone we do not know: served, and asked once for a name
        result.reply = `${result.reply}\n${sms.askName()}`;
        result.data = { ...result.data, nameAsked: true, awaitingName: true };
      }
    }

    // only the text just before counts as "the same order again"
    result.data = { ...result.data, lastOrderText: intent.kind === 'order' ? { text: text.body, at: now.toISOString() } : resent ? previous : undefined };
    const lapses = result.state !== 'idle' && result.data.windowClosesAt ? new Date(result.data.windowClosesAt).getTime() : Infinity;
    const expiresAt = new Date(Math.min(now.getTime() + CONVERSATION_TTL_MS, lapses));
    // RGPD: the first reply to a new number says what their data is for
    // (not on STOP/START confirmations: carriers' wording, and the person asked for silence)
    let noticeGiven = false;
    if (result.reply !== null && !customer.privacyNoticeAt && intent.kind !== 'stop' && intent.kind !== 'start') {
      const withNotice = await replyWithFirstContactNotice(tx, text.group, result.reply);
      if (withNotice !== null) {
        result.reply = withNotice;
        noticeGiven = true;
      }
    }
    return {
      customerId: customer.id,
      conversation: { state: result.state, data: result.data, expiresAt },
      reply: result.reply === null ? null : toGsm7(withinBudget(result.reply)),
      kind,
      noticeGiven,
    };
  }

  return { answer };
}

export type SmsConversation = ReturnType<typeof createSmsConversation>;
