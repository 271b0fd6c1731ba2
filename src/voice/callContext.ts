// What the menu needs to know about a caller: the facts about them, loaded once at the call's start
// (kept with the call's state in Redis), and the catalogue, from the in-memory cache at each step.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { openAndNextAt, type CatalogCache, type OpenCatalog } from '../catalog/openCatalog.js';
import { estimateLine, isWeighed } from '../catalog/pricing.js';
import { atPlace, spokenEuros, spokenPickup, voice, VOICE_STATUS } from '../i18n/voice.js';
import type { Db, Tx } from '../platform/db/client.js';
import type { CallContext, CartLine, VoiceProduct } from './menu.js';
import { activeOrdersOf, lastPlacedOrderOf } from '../orders/readModels.js';

export interface OperatorHours {
  days: number[];
  from: string;
  to: string;
}

const DAY_NAMES = ['', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];

/** Whether the switchboard answers now, in the group's time zone. Pure. */
export function operatorOpenAt(hours: OperatorHours[], now: Date, timeZone: string): boolean {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const hhmm = local.toFormat('HH:mm');
  return hours.some((h) => h.days.includes(local.weekday) && hhmm >= h.from && hhmm < h.to);
}

/** "du lundi au vendredi de 9 heures à 12 heures, et le mardi de 14 heures à 17 heures". Pure. */
export function spokenHours(hours: OperatorHours[]): string {
  if (hours.length === 0) return 'sur rendez-vous';
  const time = (t: string) => {
    const [h, m] = t.split(':').map(Number);
    return m ? `${h} heures ${m}` : `${h} heures`;
  };
  const days = (d: number[]) => {
    const sorted = [...d].sort();
    const consecutive = sorted.every((x, i) => i === 0 || x === sorted[i - 1]! + 1);
    if (sorted.length > 2 && consecutive) return `du ${DAY_NAMES[sorted[0]!]} au ${DAY_NAMES[sorted[sorted.length - 1]!]}`;
    return `le ${sorted.map((x) => DAY_NAMES[x]).join(' et le ')}`;
  };
  return hours.map((h) => `${days(h.days)} de ${time(h.from)} à ${time(h.to)}`).join(', et ');
}

export interface CallerInfo {
  groupId: string;
  groupName: string;
  timeZone: string;
  operatorPhone: string | null;
  operatorHours: OperatorHours[];
  customerId: string | null;
}

/** A group's switchboard hours, as stored (JSON) on the group. */
export const OperatorHoursSchema = z.object({ days: z.array(z.number().int()), from: z.string(), to: z.string() });

const CartLineSchema = z.object({ productId: z.string(), quantity: z.number().int(), requestedGrams: z.number().int().nullable() });

/** The facts about a caller that the menu reads: plain data, kept with the call between two webhooks. */
export const CallerFactsSchema = z.object({
  groupName: z.string(),
  timeZone: z.string(),
  operatorPhone: z.string().nullable(),
  operatorHours: z.array(OperatorHoursSchema),
  customerName: z.string().nullable(),
  addressOnFile: z.string().nullable(),
  usualBasket: z.object({ lines: z.array(CartLineSchema), skipped: z.array(z.string()) }).nullable(),
  orderOpen: z.boolean(),
  nextOpens: z.string().nullable(),
  currentOrders: z.array(z.string()),
  hasActiveOrder: z.boolean(),
  /** the caller's basket in the distribution open for orders (a call saved before it existed: none) */
  openBasket: z.number().int().nullable().default(null),
  deliveryWindow: z.string().nullable(),
});
export type CallerFacts = z.infer<typeof CallerFactsSchema>;

interface VoiceCatalog {
  byCode: Map<number, VoiceProduct>;
  byId: Map<string, VoiceProduct>;
  speechHints: string;
}

// the products as the menu says them, built once per catalogue the cache hands out (not per keypress)
const voiceCatalogs = new WeakMap<OpenCatalog, VoiceCatalog>();

function voiceCatalogOf(catalog: OpenCatalog): VoiceCatalog {
  const known = voiceCatalogs.get(catalog);
  if (known) return known;
  const byCode = new Map<number, VoiceProduct>();
  const byId = new Map<string, VoiceProduct>();
  for (const p of catalog.byId.values()) {
    const sellsByWeight = isWeighed(p) && !p.multiWeigh && !p.portionGrams;
    const per = p.unit === 'kg' ? ' le kilo' : p.unit === 'g100' ? ' les 100 grammes' : p.unit === 'litre' ? ' le litre' : '';
    const vp: VoiceProduct = {
      id: p.id, code: p.code, name: p.name, sellsByWeight, estimated: p.variableWeight || p.multiWeigh,
      priceLabel: `${spokenEuros(p.priceCents)}${per}`,
      priceOf: (line: CartLine) => estimateLine(p, line).estimatedCents,
    };
    byCode.set(p.code, vp);
    byId.set(p.id, vp);
  }
  const speechHints = [...byId.values()].slice(0, 60).map((p) => p.name.replace(/\([^)]*\)/g, '').trim()).join(', ');
  const built = { byCode, byId, speechHints };
  voiceCatalogs.set(catalog, built);
  return built;
}

/** Reads the caller's facts from the database: at the call's start, and after a durable effect. */
export async function loadCallerFacts(tx: Db | Tx, caller: CallerInfo, catalogs: CatalogCache, now: Date): Promise<CallerFacts> {
  const catalog = await catalogs(tx, caller.groupId);
  const { byId } = voiceCatalogOf(catalog);
  const { open, next } = openAndNextAt(catalog, now);
  const nextOpens = next && !open ? DateTime.fromJSDate(next.opensAt, { zone: caller.timeZone }).setLocale('fr').toFormat("cccc d LLLL 'à' H 'heures'") : null;

  const customer = caller.customerId ? await tx.customer.findUnique({ where: { id: caller.customerId } }) : null;
  let usualBasket: CallerFacts['usualBasket'] = null;
  let currentOrders: string[] = [];
  let deliveryWindow: string | null = null;
  let hasActiveOrder = false;
  let openBasket: number | null = null;
  if (customer) {
    const last = await lastPlacedOrderOf(tx, customer.id);
    if (last) {
      const lines: CartLine[] = [];
      const skipped: string[] = [];
      for (const l of last.lines) {
        const vp = byId.get(l.productId);
        if (!vp) skipped.push(l.productName);
        else if (vp.sellsByWeight && l.estimatedGrams) lines.push({ productId: l.productId, quantity: 1, requestedGrams: l.estimatedGrams });
        else lines.push({ productId: l.productId, quantity: l.quantity, requestedGrams: null });
      }
      usualBasket = { lines, skipped };
    }
    const active = await activeOrdersOf(tx, customer.id);
    hasActiveOrder = active.length > 0;
    openBasket = (open && active.find((o) => o.distributionId === open.id)?.basketNumber) ?? null;
    currentOrders = active.map((o) => {
      const d = o.distribution;
      const delivery = o.fulfilment === 'delivery' && d.deliveryStart && d.deliveryEnd;
      const when = delivery ? `Livraison ${spokenPickup(d.deliveryStart!, d.deliveryEnd!, caller.timeZone)}` : `Retrait ${spokenPickup(d.pickupStart, d.pickupEnd, caller.timeZone)}, ${atPlace(d.relayPoint.name)}`;
      const estimated = o.finalCents === null && o.lines.some((l) => l.variableWeight);
      return voice.status(o.basketNumber ?? 0, VOICE_STATUS[o.status] ?? o.status, `${estimated ? 'environ ' : ''}${spokenEuros(o.finalCents ?? o.estimatedCents)}`, when);
    });
    const first = active[0]?.distribution;
    if (first?.deliveryStart && first.deliveryEnd) deliveryWindow = spokenPickup(first.deliveryStart, first.deliveryEnd, caller.timeZone);
  }

  return {
    groupName: caller.groupName,
    timeZone: caller.timeZone,
    operatorPhone: caller.operatorPhone,
    operatorHours: caller.operatorHours,
    customerName: customer?.name ?? null,
    addressOnFile: customer?.address ?? null,
    usualBasket,
    orderOpen: Boolean(open),
    nextOpens,
    currentOrders,
    hasActiveOrder,
    openBasket,
    deliveryWindow,
  };
}

/** What the menu reads at one step: the caller's facts, the catalogue, and the switchboard's hours now. Pure. */
export function callContextOf(facts: CallerFacts, catalog: OpenCatalog, now: Date): CallContext {
  const { byCode, byId, speechHints } = voiceCatalogOf(catalog);
  return {
    groupName: facts.groupName,
    customerName: facts.customerName,
    products: { byCode, byId },
    read: catalog.read,
    usualBasket: facts.usualBasket,
    orderOpen: facts.orderOpen,
    nextOpens: facts.nextOpens,
    currentOrders: facts.currentOrders,
    hasActiveOrder: facts.hasActiveOrder,
    openBasket: facts.openBasket,
    addressOnFile: facts.addressOnFile,
    deliveryWindow: facts.deliveryWindow,
    // read only when the caller asks for someone (key 0): the time zone arithmetic waits until then
    get operatorOpen() {
      return operatorOpenAt(facts.operatorHours, now, facts.timeZone);
    },
    operatorPhone: facts.operatorPhone,
    get operatorHours() {
      return spokenHours(facts.operatorHours);
    },
    speechHints,
  };
}
