// The Twilio stand-in of the text-to-reply bench: answers Messages.json as Twilio does (201 and the
// JSON the SDK reads) and records, for each send, the Message row it is for (the StatusCallback's
// messageId), the recipient, the body and when it arrived. Optionally posts signed status callbacks
// (sent, then delivered) to the web process, as Twilio would: that load is part of production.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface Receipt {
  messageId: string | null;
  to: string;
  body: string;
  /** epoch ms with sub-ms precision (performance.timeOrigin + now), comparable across processes */
  at: number;
}

export interface RecorderOptions {
  accountSid: string;
  authToken: string;
  /** where status callbacks go instead of the public URL they name (the web process), or none */
  callbacksTo?: () => string | undefined;
  sentAfterMs?: number;
  deliveredAfterMs?: number;
}

export const nowMs = () => performance.timeOrigin + performance.now();

export async function startTwilioRecorder(opts: RecorderOptions) {
  const receipts: Receipt[] = [];
  const byMessageId = new Map<string, Receipt[]>();
  let seq = 0;
  let callbackFailures = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  function postCallback(publicUrl: string, params: Record<string, string>): void {
    const target = opts.callbacksTo?.();
    if (!target) return;
    const url = new URL(publicUrl);
    const body = new URLSearchParams(params).toString();
    const req = http.request(`${target}${url.pathname}${url.search}`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': twilio.getExpectedTwilioSignature(opts.authToken, publicUrl, params) },
    }, (res) => {
      if ((res.statusCode ?? 500) >= 300) callbackFailures++;
      res.resume();
    });
    req.on('error', () => callbackFailures++);
    req.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const at = nowMs();
      if (req.method !== 'POST' || !/\/Accounts\/[^/]+\/Messages\.json$/.test(req.url ?? '')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'not found', status: 404 }));
        return;
      }
      const b = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      const messageId = b.StatusCallback ? new URL(b.StatusCallback).searchParams.get('messageId') : null;
      const receipt: Receipt = { messageId, to: b.To ?? '', body: b.Body ?? '', at };
      receipts.push(receipt);
      if (messageId) byMessageId.set(messageId, [...(byMessageId.get(messageId) ?? []), receipt]);
      const sid = 'SM' + (++seq).toString(16).padStart(32, '0');
      const now = new Date().toUTCString();
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
        sid, account_sid: opts.accountSid, to: b.To, from: b.From ?? null, messaging_service_sid: b.MessagingServiceSid ?? null, body: b.Body,
        status: 'queued', direction: 'outbound-api', num_segments: '1', num_media: '0', api_version: '2010-04-01', date_created: now, date_updated: now,
        date_sent: null, error_code: null, error_message: null, price: null, price_unit: 'EUR', uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
      }));
      const statusCallback = b.StatusCallback;
      if (statusCallback && opts.callbacksTo) {
        const base = { MessageSid: sid, SmsSid: sid, AccountSid: opts.accountSid, From: b.From ?? '', To: b.To ?? '', ApiVersion: '2010-04-01' };
        setTimeout(() => postCallback(statusCallback, { ...base, MessageStatus: 'sent', SmsStatus: 'sent' }), opts.sentAfterMs ?? 200).unref();
        setTimeout(() => postCallback(statusCallback, { ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' }), opts.deliveredAfterMs ?? 1000).unref();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    receipts,
    byMessageId,
    callbackFailures: () => callbackFailures,
    async close(): Promise<void> {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export type TwilioRecorder = Awaited<ReturnType<typeof startTwilioRecorder>>;
