import type { Db } from '../platform/db/client.js';
import { countSegments } from './segments.js';

export interface InboundSms {
  groupId: string;
  messageSid: string;
  from: string;
  to: string;
  body: string;
}

interface Pending {
  sms: InboundSms;
  reply: string;
  resolve: (recorded: boolean) => void;
  reject: (err: unknown) => void;
}

export interface InboundSmsLog {
  /**
   * Records an inbound SMS and the reply we answer with. The reply row is written only if the
   * inbound row was (MessageSid is unique), so a webhook Twilio retries changes nothing and gets no
   * second reply: resolves false for such a duplicate. Resolves once committed.
   */
  record(sms: InboundSms, reply: string): Promise<boolean>;
}

/**
 * Inbound SMS arrive in bursts (a distribution eve). Webhooks that arrive while earlier writes are
 * in flight are written together in one statement and one commit; each webhook still answers only
 * after its own row is committed. At low traffic a batch is a single message, written at once.
 */
export function createInboundSmsLog(db: Db, opts: { maxInFlight?: number; maxBatch?: number } = {}): InboundSmsLog {
  const maxInFlight = opts.maxInFlight ?? 4;
  const maxBatch = opts.maxBatch ?? 100;
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  async function write(batch: Pending[]): Promise<Set<string>> {
    const col = <T>(f: (p: Pending) => T) => batch.map(f);
    const inbound = batch.map((p) => countSegments(p.sms.body));
    const outbound = batch.map((p) => countSegments(p.reply));
    const rows = await db.$queryRaw<{ sid: string }[]>`
      WITH input AS (
        SELECT * FROM unnest(
          ${col((p) => p.sms.messageSid)}::text[], ${col((p) => p.sms.groupId)}::text[], ${col((p) => p.sms.from)}::text[],
          ${col((p) => p.sms.to)}::text[], ${col((p) => p.sms.body)}::text[], ${inbound.map((c) => c.segments)}::int[],
          ${inbound.map((c) => c.encoding)}::text[], ${col((p) => p.reply)}::text[], ${outbound.map((c) => c.segments)}::int[],
          ${outbound.map((c) => c.encoding)}::text[]
        ) AS t(sid, group_id, from_phone, to_phone, body, in_segments, in_encoding, reply, out_segments, out_encoding)
      ), inbound AS (
        INSERT INTO "Message" (id, "groupId", direction, channel, "twilioSid", "fromPhone", "toPhone", body, segments, encoding, status, "customerId", "updatedAt")
        SELECT gen_random_uuid(), i.group_id, 'inbound'::"MessageDirection", 'sms'::"ContactChannel", i.sid, i.from_phone, i.to_phone, i.body,
               i.in_segments, i.in_encoding, 'received'::"MessageStatus",
               (SELECT c.id FROM "Customer" c WHERE c."groupId" = i.group_id AND c.phone = i.from_phone), now()
        FROM input i
        ON CONFLICT ("twilioSid") DO NOTHING
        RETURNING "twilioSid", "customerId"
      ), outbound AS (
        INSERT INTO "Message" (id, "groupId", direction, channel, "fromPhone", "toPhone", body, segments, encoding, status, "customerId", "updatedAt")
        SELECT gen_random_uuid(), i.group_id, 'outbound'::"MessageDirection", 'sms'::"ContactChannel", i.to_phone, i.from_phone, i.reply,
               i.out_segments, i.out_encoding, 'queued'::"MessageStatus", ins."customerId", now()
        FROM inbound ins JOIN input i ON i.sid = ins."twilioSid"
      )
      SELECT "twilioSid" AS sid FROM inbound`;
    return new Set(rows.map((r) => r.sid));
  }

  function flush(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      // the same MessageSid twice in one batch (a retry racing the original): only the first counts
      const seen = new Set<string>();
      const unique: Pending[] = [];
      for (const p of batch) {
        if (seen.has(p.sms.messageSid)) p.resolve(false);
        else {
          seen.add(p.sms.messageSid);
          unique.push(p);
        }
      }
      inFlight++;
      write(unique)
        .then((inserted) => {
          for (const p of unique) p.resolve(inserted.has(p.sms.messageSid));
        })
        .catch((err: unknown) => {
          for (const p of unique) p.reject(err);
        })
        .finally(() => {
          inFlight--;
          if (queue.length > 0) flush();
        });
    }
  }

  return {
    record(sms, reply) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ sms, reply, resolve, reject });
        // everything that arrives in this turn of the event loop goes in the same batch
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
