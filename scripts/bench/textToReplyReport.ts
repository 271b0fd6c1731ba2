// The text-to-reply bench's reading of a phase: each text's reply found through the reply row's
// inReplyToId (or the webhook's own TwiML), its time from webhook POST to the Twilio stand-in (and
// where it went: accepted, handled by the worker, handed to Twilio), and the checks: one reply per
// text; each resident's replies in the order their texts were accepted (the inbound rows'
// createdAt: the only order the service can know); for residents whose texts were accepted in the
// order sent, each reply of the kind its text calls for.
import type pg from 'pg';
import type { TwilioRecorder } from './twilioRecorder.js';

export interface SentText {
  sid: string;
  from: string;
  body: string;
  /** the reply it calls for when handled in order: draft, confirmed, status, addition, added */
  expect: string;
  resident: number;
  step: number;
  plannedMs: number;
  postedAt: number;
  answeredAt: number;
  status: number;
  error?: string;
  /** the reply in the webhook's TwiML (the synchronous contract) */
  twimlReply?: string;
}

/** What a reply is, from its first words (src/i18n/sms.ts), accents aside. */
export function kindOf(reply: string): string {
  const t = reply.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  if (/^Vous commandez/.test(t)) return 'draft';
  if (/^Commande confirmee/.test(t)) return 'confirmed';
  if (/^Panier \d+ ?:/.test(t)) return 'status';
  if (/^Vous ajoutez/.test(t)) return 'addition';
  if (/^Ajout confirme/.test(t)) return 'added';
  return 'other';
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(0)} ms`;

export async function report(sql: pg.Pool, recorder: TwilioRecorder, texts: SentText[], start: number, opts: { perResidentOrder: boolean }) {
  const { rows: inbound } = await sql.query<{ sid: string; id: string; createdAt: Date; processedAt: Date | null }>(
    `SELECT "twilioSid" AS sid, id, "createdAt", "processedAt" FROM "Message" WHERE direction = 'inbound' AND "twilioSid" = ANY($1::text[])`, [texts.map((t) => t.sid)]);
  const accepted = new Map(inbound.map((r) => [r.sid, r]));
  const { rows } = await sql.query<{ sid: string; id: string }>(
    `SELECT i."twilioSid" AS sid, o.id FROM "Message" i JOIN "Message" o ON o."inReplyToId" = i.id WHERE i."twilioSid" = ANY($1::text[])`, [texts.map((t) => t.sid)]);
  const replyIds = new Map<string, string[]>();
  for (const r of rows) replyIds.set(r.sid, [...(replyIds.get(r.sid) ?? []), r.id]);

  const refused = texts.filter((t) => t.error || t.status < 200 || t.status >= 300);
  const replies = new Map(texts.map((t) => {
    const got = (replyIds.get(t.sid) ?? []).flatMap((id) => recorder.byMessageId.get(id) ?? []).map((r) => ({ at: r.at, body: r.body }));
    if (t.twimlReply !== undefined) got.push({ at: t.answeredAt, body: t.twimlReply });
    return [t, got.sort((a, b) => a.at - b.at)] as const;
  }));
  const answered = texts.filter((t) => replies.get(t)!.length > 0);
  const twice = texts.filter((t) => replies.get(t)!.length > 1);
  const latencies = answered.map((t) => replies.get(t)![0]!.at - t.postedAt).sort((a, b) => a - b);
  const webhook = texts.filter((t) => !t.error).map((t) => t.answeredAt - t.postedAt).sort((a, b) => a - b);
  const lastReply = answered.length ? Math.max(...answered.map((t) => replies.get(t)![0]!.at)) : NaN;
  // where the time went: webhook POST → accepted (row written) → handled (worker) → at Twilio
  const stages = (from: (t: SentText) => number | undefined, to: (t: SentText) => number | undefined) =>
    answered.flatMap((t) => {
      const [a, b] = [from(t), to(t)];
      return a === undefined || b === undefined ? [] : [b - a];
    }).sort((a, b) => a - b);
  const acceptedAt = (t: SentText) => accepted.get(t.sid)?.createdAt.getTime();
  const handledAt = (t: SentText) => accepted.get(t.sid)?.processedAt?.getTime();
  const atTwilio = (t: SentText) => replies.get(t)![0]!.at;
  const toAccepted = stages((t) => t.postedAt, acceptedAt);
  const toHandled = stages(acceptedAt, handledAt);
  const toTwilio = stages(handledAt, atTwilio);

  let outOfOrder = 0;
  let acceptedOutOfOrder = 0;
  const inSentOrder = new Set<number>();
  if (opts.perResidentOrder) {
    const byResident = new Map<number, SentText[]>();
    for (const t of texts) byResident.set(t.resident, [...(byResident.get(t.resident) ?? []), t]);
    for (const [resident, list] of byResident) {
      const sent = list.sort((a, b) => a.step - b.step);
      // the service's own order: createdAt, then id
      const byAcceptance = sent.filter((t) => accepted.has(t.sid)).sort((a, b) => acceptedAt(a)! - acceptedAt(b)! || (accepted.get(a.sid)!.id < accepted.get(b.sid)!.id ? -1 : 1));
      // two webhooks of one resident in flight at once: the later text may be written first
      if (byAcceptance.some((t, i) => t !== sent.filter((x) => accepted.has(x.sid))[i])) acceptedOutOfOrder++;
      // a text lost at the webhook changes what the next ones call for: those are not judged
      else if (byAcceptance.length === sent.length) inSentOrder.add(resident);
      const times = byAcceptance.flatMap((t) => replies.get(t)!.slice(0, 1).map((r) => r.at));
      if (times.some((at, i) => i > 0 && at <= times[i - 1]!)) outOfOrder++;
    }
  }
  const wrong = answered.filter((t) => (!opts.perResidentOrder || inSentOrder.has(t.resident)) && kindOf(replies.get(t)![0]!.body) !== t.expect);
  // what else went to these residents (notices the fan-out sent): not replies, counted apart
  const phones = new Set(texts.map((t) => t.from));
  const replyIdSet = new Set(rows.map((r) => r.id));
  const others = recorder.receipts.filter((r) => phones.has(r.to) && !(r.messageId && replyIdSet.has(r.messageId))).length;

  console.log(`  webhooks: ${texts.length - refused.length}/${texts.length} answered 2xx (p50 ${ms(pct(webhook, 0.5))}, p99 ${ms(pct(webhook, 0.99))})${refused.length ? `; refused or failed: ${refused.length}, e.g. ${refused.slice(0, 3).map((t) => t.error ?? t.status).join(', ')}` : ''}`);
  console.log(`  replies: ${answered.length}/${texts.length}; webhook POST → reply at the stand-in p50 ${ms(pct(latencies, 0.5))}, p99 ${ms(pct(latencies, 0.99))}, max ${ms(latencies.at(-1) ?? NaN)}; last reply ${((lastReply - start) / 1000).toFixed(1)} s after the first text`);
  const p50p99 = (l: number[]) => `p50 ${ms(pct(l, 0.5))} p99 ${ms(pct(l, 0.99))}`;
  console.log(`  stages: POST → accepted ${p50p99(toAccepted)}; accepted → handled by the worker ${p50p99(toHandled)}; handled → at Twilio ${p50p99(toTwilio)}`);
  // the worker's pace over the phase: below the offered rate, a backlog builds up
  const pace = (times: number[]) => (times.length > 1 ? `${((times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000)).toFixed(0)}/s` : 'n/a');
  console.log(`  pace: texts offered ${pace(texts.map((t) => t.postedAt))}, handled by the worker ${pace(answered.flatMap((t) => handledAt(t) ?? []))}, replies at Twilio ${pace(answered.map(atTwilio))}`);
  console.log(`  missing ${texts.length - answered.length}, answered more than once ${twice.length}${opts.perResidentOrder ? `, residents with replies out of their accepted order ${outOfOrder} (texts accepted out of their sending order, a webhook overtaking another: ${acceptedOutOfOrder} residents)` : ''}, replies not of the expected kind ${wrong.length}; other messages to these residents ${others}`);
  for (const t of wrong.slice(0, 3)) console.log(`    e.g. "${t.body}" (step ${t.step + 1}, expected ${t.expect}) → "${replies.get(t)![0]!.body.replace(/\n/g, ' / ').slice(0, 120)}"`);
  return {
    p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), missing: texts.length - answered.length, twice: twice.length, refused: refused.length,
    outOfOrder, acceptedOutOfOrder, wrongKind: wrong.length, lastReplyS: (lastReply - start) / 1000,
  };
}
