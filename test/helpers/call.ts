import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import twilio from 'twilio';
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL, callParams } from './app.js';

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");

/** Plays a phone call against the app the way Twilio does: posts, reads TwiML, follows actions. */
export class SimulatedCall {
  twiml = '';
  private readonly heard: string[] = [];

  /** `callSid`: to post the webhooks of a call already started (to another instance of the app, say). */
  constructor(private readonly app: Express, readonly from: string, readonly to: string, readonly callSid = `CA${crypto.randomBytes(16).toString('hex')}`) {}

  private signed(url: string, extra: Record<string, string>) {
    const params = { ...callParams(this.from, this.to, this.callSid), CallStatus: 'in-progress', ...extra };
    const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, params);
    return request(this.app).post(url.slice(TEST_PUBLIC_URL.length)).type('form').set('X-Twilio-Signature', signature).send(params);
  }

  /** Posts a step as Twilio would (to a URL the TwiML gave, with these fields) and reads the answer. */
  async post(url: string, extra: Record<string, string>): Promise<string> {
    const res = await this.signed(url, extra);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${res.text}`);
    this.twiml = res.text;
    this.heard.push(...this.said());
    return res.text;
  }

  /** The call is over: Twilio's status callback on the number (`twilio connect` sets it). */
  async hangUp(status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled' = 'completed', seconds?: number): Promise<void> {
    const res = await this.signed(`${TEST_PUBLIC_URL}/twilio/voice/status`, { CallStatus: status, ...(seconds === undefined ? {} : { CallDuration: String(seconds) }) });
    if (res.status !== 204) throw new Error(`/twilio/voice/status answered ${res.status}: ${res.text}`);
  }

  /** The texts of the <Say> verbs of the current TwiML. */
  said(): string[] {
    return [...this.twiml.matchAll(/<Say[^>]*>([\s\S]*?)<\/Say>/g)].map((m) => unescape(m[1]!));
  }
  /** Everything said since the call started. */
  transcript(): string {
    return this.heard.join(' ');
  }
  get ended(): boolean {
    return this.twiml.includes('<Hangup/>') || !/<(Gather|Record|Dial|Redirect)\b/.test(this.twiml);
  }
  /** Where the current question's answer goes (the Gather's action). */
  get gatherUrl(): string {
    return this.attr('Gather');
  }
  private attr(verb: string): string {
    const m = new RegExp(`<${verb}[^>]*action="([^"]+)"`).exec(this.twiml);
    if (!m) throw new Error(`no <${verb}> in ${this.twiml}`);
    return unescape(m[1]!);
  }

  start() {
    return this.post(`${TEST_PUBLIC_URL}/twilio/voice`, {});
  }
  press(digits: string) {
    return this.post(this.attr('Gather'), { Digits: digits });
  }
  speak(text: string) {
    return this.post(this.attr('Gather'), { SpeechResult: text, Confidence: '0.9' });
  }
  /** The caller says nothing: Twilio falls through to the Redirect. */
  silence() {
    const m = /<Redirect[^>]*>([^<]+)<\/Redirect>/.exec(this.twiml);
    if (!m) throw new Error(`no <Redirect> in ${this.twiml}`);
    return this.post(unescape(m[1]!), {});
  }
  record(seconds = 12) {
    const sid = `RE${crypto.randomBytes(16).toString('hex')}`;
    return this.post(this.attr('Record'), { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${sid}`, RecordingSid: sid, RecordingDuration: String(seconds) });
  }
  dialEnds(status: 'completed' | 'no-answer' | 'busy' | 'failed') {
    return this.post(this.attr('Dial'), { DialCallStatus: status });
  }
}
