// One inbound SMS, one short transaction: who wrote, what they ask, what the order service decides,
// the reply. The conversation's state lives in SmsConversation, never in memory.
import { openAndNextDistribution } from '../catalog/distributions.js';
import { windowState } from '../catalog/window.js';
import type { CatalogCache, OpenCatalog } from '../catalog/openCatalog.js';
import type { GroupSummary } from '../catalog/groups.js';
import { lineForChoice, type ReadQuestion } from '../catalog/reading/reader.js';
import { fold } from '../catalog/reading/normalize.js';
import type { QuantityAsked } from '../catalog/reading/types.js';
import { residentErrorText } from '../i18n/errors.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { dayAndHour, pickupWhen, sms, STATUS_LABELS } from '../i18n/sms.js';
import { OrderWindowClosedError, OutOfStockError } from '../orders/errors.js';
import { optIn, optOut, recordResidentName, setResidentAddress } from '../orders/customers.js';
import type { OrderService } from '../orders/orderService.js';
import { activeOrderOf, placedStatusFilter } from '../orders/readModels.js';
import type { Db, Tx } from '../platform/db/client.js';
import { withSavepoint } from '../platform/db/savepoint.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { lineTypeOf } from '../platform/phone.js';
import { isDataRequest, recordDataRequest } from '../privacy/dataRequest.js';
import { withFirstContactNotice } from '../privacy/notice.js';
import { readIntent, type SmsIntent } from './keywords.js';
import { cataloguePages, summarise, type CatalogProduct, type PendingLine } from './replies.js';
import { countSegments } from './segments.js';

/** A conversation left alone this long starts afresh (RapidPro's default for messaging flows). */
const CONVERSATION_TTL_MS = 3 * 24 * 3600_000;
const TX_OPTIONS = { maxWait: 10_000, timeout: 12_000 };

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
}

export interface InboundSmsInput {
  group: GroupSummary;
  messageSid: string;
  from: string;
  to: string;
  body: string;
}

export interface ConversationDeps {
  db: Db;
  log?: Logger;
  orders: OrderService;
  catalogs: CatalogCache;
  now?: () => Date;
}

export interface SmsOutcome {
  /** null: no reply (a STOP from someone already opted out) */
  reply: string | null;
  duplicate: boolean;
}

interface Step {
  tx: Tx;
  distributions?: Promise<{ open: DistributionWithRelay | null; next: DistributionWithRelay | null }>;
  group: GroupSummary;
  customer: { id: string; name: string | null; address: string | null; smsOptedOut: boolean };
  state: State;
  data: ConversationData;
  catalog: OpenCatalog;
  now: Date;
}

type DistributionWithRelay = Awaited<ReturnType<Tx['distribution']['findFirstOrThrow']>> & { relayPoint: { name: string } };

interface StepResult {
  reply: string | null;
  state: State;
  data: ConversationData;
}

export function createSmsConversation(deps: ConversationDeps) {
  const { db, orders } = deps;
  const log = deps.log?.child({ module: 'sms-conversation' });
  const clock = deps.now ?? (() => new Date());

  function distributionFor(s: Step) {
    // asked several times while handling one message: looked up once
    s.distributions ??= openAndNextDistribution(s.tx, s.group.id, s.now);
    return s.distributions;
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

  /** The lines are complete: a draft (or an addition) to confirm with OUI. */
  async function propose(s: Step, lines: PendingLine[], prefix: string): Promise<StepResult> {
    const { open } = await distributionFor(s);
    if (!open) return { reply: prefix + (await windowClosedReply(s)), state: 'idle', data: {} };
    const summary = summarise(lines, products(s));
    const existing = await activeOrder(s, open.id);
    if (existing) {
      const total = existing.estimatedCents + summary.totalCents;
      return {
        reply: prefix + sms.addition(summary.text, existing.basketNumber ?? 0, total),
        state: 'confirm_addition',
        data: { orderId: existing.id, lines, windowClosesAt: open.closesAt.toISOString() },
      };
    }
    await dropDraft(s);
    const draft = await orders.placeOrder(
      { groupId: s.group.id, customerId: s.customer.id, distributionId: open.id, channel: 'sms', confirm: false, lines },
      s.tx,
    );
    const pickup = pickupWhen(open.pickupStart, open.pickupEnd, s.group.timeZone);
    return {
      reply: prefix + sms.draft(summary.text, summary.totalCents, summary.estimated, pickup, open.relayPoint.name),
      state: 'confirm_order',
      data: { draftOrderId: draft.id, lines, windowClosesAt: open.closesAt.toISOString() },
    };
  }

  function storeQuestion(q: ReadQuestion): StoredQuestion {
    return q.kind === 'which_product'
      ? { kind: q.kind, phrase: q.phrase, options: q.options.map((o) => o.id), quantity: q.quantity }
      : { kind: q.kind, phrase: q.phrase, options: q.product ? [q.product.id] : [], quantity: null };
  }

  async function onOrderText(s: Step, text: string): Promise<StepResult> {
    const { open } = await distributionFor(s);
    const read = s.catalog.read(text);
    if (read.lines.length === 0 && read.questions.length === 0) {
      const reply = read.unknown.length > 0 ? `${sms.unknownItems(read.unknown)} ${sms.notUnderstood()}` : sms.notUnderstood();
      return { reply, state: s.state, data: s.data };
    }
    if (!open) return { reply: await windowClosedReply(s), state: 'idle', data: {} };
    const newLines: PendingLine[] = read.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity, requestedGrams: l.requestedGrams, notes: l.notes }));
    // a second text before OUI ("et 2 croissants") adds to what is awaiting confirmation
    const pending = s.state === 'confirm_order' || s.state === 'confirm_addition' || s.state === 'choose' ? (s.data.lines ?? []) : [];
    const lines = [...pending, ...newLines];
    const prefix = read.unknown.length > 0 ? `${sms.unknownItems(read.unknown)}\n` : '';
    if (read.questions.length > 0) {
      const questions = read.questions.map(storeQuestion);
      return { reply: prefix + questionText(questions[0]!, s), state: 'choose', data: { ...s.data, lines, questions } };
    }
    return propose(s, lines, prefix);
  }

  async function onNumber(s: Step, value: number, raw: string): Promise<StepResult> {
    const q = s.data.questions?.[0];
    if (s.state !== 'choose' || !q) return onOrderText(s, raw);
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
    return propose(s, lines, '');
  }

  async function onYes(s: Step): Promise<StepResult> {
    try {
      if (s.state === 'confirm_order' && s.data.draftOrderId) {
        const placed = await withSavepoint(s.tx, () => orders.confirmOrder(s.data.draftOrderId!, s.tx));
        const order = await s.tx.order.findUniqueOrThrow({ where: { id: placed.id }, include: { distribution: { include: { relayPoint: true } }, lines: true } });
        const estimated = order.lines.some((l) => l.variableWeight);
        const pickup = pickupWhen(order.distribution.pickupStart, order.distribution.pickupEnd, s.group.timeZone);
        return { reply: sms.confirmed(placed.basketNumber ?? 0, placed.estimatedCents, estimated, pickup, order.distribution.relayPoint.name), state: 'idle', data: {} };
      }
      if (s.state === 'confirm_addition' && s.data.orderId && s.data.lines) {
        const updated = await withSavepoint(s.tx, () => orders.addLines(s.data.orderId!, s.data.lines!, s.tx));
        return { reply: sms.added(updated.basketNumber ?? 0, updated.estimatedCents), state: 'idle', data: {} };
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
    return propose(s, lines, `${notice}\n`);
  }

  async function onNo(s: Step): Promise<StepResult> {
    if (s.state === 'confirm_cancel') return { reply: sms.kept(), state: 'idle', data: {} };
    if (s.state === 'confirm_order' || s.state === 'confirm_addition' || s.state === 'choose') {
      await dropDraft(s);
      return { reply: sms.draftDropped(), state: 'idle', data: {} };
    }
    return { reply: sms.nothingToConfirm(), state: 'idle', data: {} };
  }

  async function onStatus(s: Step): Promise<StepResult> {
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
        const when =
          o.fulfilment === 'delivery' && d.deliveryStart && d.deliveryEnd
            ? `Livraison ${pickupWhen(d.deliveryStart, d.deliveryEnd, s.group.timeZone)}`
            : `Retrait ${pickupWhen(d.pickupStart, d.pickupEnd, s.group.timeZone)}, ${d.relayPoint.name}`;
        const final = o.finalCents !== null || !o.lines.some((l) => l.variableWeight);
        return sms.status(o.basketNumber ?? 0, STATUS_LABELS[o.status] ?? o.status, o.finalCents ?? o.estimatedCents, final, when);
      })
      .join('\n');
    return { reply, state: s.state, data: s.data };
  }

  async function onCancel(s: Step): Promise<StepResult> {
    const order = await activeOrder(s);
    if (!order) {
      if (s.data.draftOrderId) return onNo({ ...s, state: 'confirm_order' });
      return { reply: sms.noOrder(), state: 'idle', data: {} };
    }
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

  async function dispatch(s: Step, intent: SmsIntent, body: string): Promise<StepResult> {
    switch (intent.kind) {
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
        return onCancel(s);
      case 'delivery':
        return onDelivery(s, intent.address);
      case 'number':
        return onNumber(s, intent.value, body);
      default:
        return onOrderText(s, body);
    }
  }

  /** Stores a name the resident gave when asked; true when the text was taken as a name. */
  async function maybeName(s: Step, intent: SmsIntent, body: string): Promise<boolean> {
    if (!s.data.awaitingName || intent.kind !== 'text') return false;
    const name = body.trim().replace(/\s+/g, ' ');
    const looksLikeName = /^[\p{L}][\p{L} .'-]{1,58}$/u.test(name) && name.split(' ').length <= 5 && s.catalog.read(name).lines.length === 0;
    if (!looksLikeName) return false;
    await recordResidentName(s.tx, s.customer.id, name);
    return true;
  }

  /** Handles one inbound SMS; idempotent on MessageSid, serialised per resident. */
  async function handle(input: InboundSmsInput): Promise<SmsOutcome> {
    const now = clock();
    const catalog = await deps.catalogs(db, input.group.id);
    return db.$transaction(async (tx) => {
      // the resident (created on a first message) and, in the same statement, the per-resident lock:
      // two texts from one person at once are handled one after the other
      const [customer] = await tx.$queryRaw<Step['customer'][]>`
        WITH upserted AS (
          INSERT INTO "Customer" (id, "groupId", phone, "lineType", "updatedAt")
          VALUES (gen_random_uuid(), ${input.group.id}, ${input.from}, ${lineTypeOf(input.from)}::"LineType", now())
          ON CONFLICT ("groupId", phone) DO UPDATE SET phone = EXCLUDED.phone
          RETURNING id, name, address, "smsOptedOut"
        )
        SELECT id, name, address, "smsOptedOut", pg_advisory_xact_lock(hashtext(id))::text AS locked FROM upserted`;
      if (!customer) throw new Error('customer upsert returned no row');
      const inbound = countSegments(input.body);
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "Message" (id, "groupId", direction, channel, "twilioSid", "fromPhone", "toPhone", body, segments, encoding, status, "customerId", "updatedAt")
        VALUES (gen_random_uuid(), ${input.group.id}, 'inbound', 'sms', ${input.messageSid}, ${input.from}, ${input.to}, ${input.body},
                ${inbound.segments}, ${inbound.encoding}, 'received', ${customer.id}, now())
        ON CONFLICT ("twilioSid") DO NOTHING RETURNING id`;
      if (inserted.length === 0) {
        // Twilio retried: the same reply as the first time, nothing changed
        const original = await tx.message.findUnique({ where: { twilioSid: input.messageSid }, select: { id: true } });
        const reply = original ? await tx.message.findFirst({ where: { inReplyToId: original.id }, select: { body: true } }) : null;
        return { reply: reply?.body ?? null, duplicate: true };
      }
      const inboundId = inserted[0]!.id;

      const stored = await tx.smsConversation.findUnique({ where: { customerId: customer.id } });
      const fresh = !stored || stored.expiresAt <= now;
      const kept = (stored?.data ?? {}) as ConversationData;
      const s: Step = {
        tx, group: input.group, customer, catalog, now,
        state: fresh ? 'idle' : (stored.state as State),
        data: fresh ? { nameAsked: kept.nameAsked } : kept,
      };
      const intent = readIntent(input.body);
      let result: StepResult;
      if (intent.kind === 'stop') {
        result = (await optOut(tx, customer.id, now)) ? { reply: sms.stopped(), state: 'idle', data: s.data } : { reply: null, state: s.state, data: s.data };
      } else if (intent.kind === 'start') {
        await optIn(tx, customer.id);
        result = { reply: sms.started(), state: s.state, data: s.data };
      } else if (isDataRequest(input.body)) {
        // RGPD: what we keep, and a task for the mairie (copy or erasure)
        const reply = await recordDataRequest(tx, { group: input.group, customerId: customer.id, phone: input.from, channel: 'sms' }, { staffId: null });
        result = { reply, state: s.state, data: s.data };
      } else if (await maybeName(s, intent, input.body)) {
        result = { reply: sms.nameSaved(input.body.trim()), state: s.state, data: { ...s.data, awaitingName: false } };
      } else {
        try {
          result = await withSavepoint(tx, () => dispatch(s, intent, input.body));
        } catch (err) {
          // a rule the resident ran into gets its own sentence; what we did not foresee is logged.
          // Either way the conversation stays where it was: the pending draft is not orphaned.
          if (err instanceof AppError) {
            log?.info({ code: err.code, customerId: customer.id }, 'sms step refused');
            result = { reply: residentErrorText(err), state: s.state, data: s.data };
          } else {
            log?.error({ err, customerId: customer.id }, 'sms step failed');
            result = { reply: sms.notUnderstood(), state: s.state, data: s.data };
          }
        }
        // the name may come a few messages later ("OUI" first): keep listening for it
        result.data = { ...result.data, nameAsked: s.data.nameAsked, awaitingName: s.data.awaitingName };
        // a first message from someone we do not know: served, and asked once for a name
        if (!customer.name && !s.data.nameAsked && result.reply) {
          result.reply = `${result.reply}\n${sms.askName()}`;
          result.data = { ...result.data, nameAsked: true, awaitingName: true };
        }
      }

      const lapses = result.state !== 'idle' && result.data.windowClosesAt ? new Date(result.data.windowClosesAt).getTime() : Infinity;
      const expiresAt = new Date(Math.min(now.getTime() + CONVERSATION_TTL_MS, lapses));
      await tx.smsConversation.upsert({
        where: { customerId: customer.id },
        create: { customerId: customer.id, groupId: input.group.id, state: result.state, data: result.data as object, expiresAt },
        update: { state: result.state, data: result.data as object, expiresAt },
      });
      // RGPD: the first reply to a new number says what their data is for
      // (not on STOP/START confirmations: carriers' wording, and the person asked for silence)
      if (intent.kind !== 'stop' && intent.kind !== 'start') result.reply = await withFirstContactNotice(tx, { group: input.group, customerId: customer.id, reply: result.reply, now });
      if (result.reply === null) return { reply: null, duplicate: false };
      const reply = toGsm7(result.reply);
      const cost = countSegments(reply);
      await tx.message.create({
        data: {
          groupId: input.group.id, direction: 'outbound', fromPhone: input.to, toPhone: input.from, body: reply, segments: cost.segments,
          encoding: cost.encoding, status: 'queued', customerId: customer.id, inReplyToId: inboundId,
        },
      });
      return { reply, duplicate: false };
    }, TX_OPTIONS);
  }

  return { handle };
}

export type SmsConversation = ReturnType<typeof createSmsConversation>;
