// Renders a menu prompt as TwiML with the twilio SDK. Pure.
import twilio from 'twilio';
import type { Prompt } from './menu.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = Parameters<VoiceResponse['say']>[0];
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

export interface RenderOptions {
  /** where the caller's answer goes: the next step of this call */
  actionUrl: string;
  recordingCallbackUrl: string;
  voice: string;
  language: string;
}

export function renderPrompt(prompt: Prompt, opts: RenderOptions): string {
  const response = new twilio.twiml.VoiceResponse();
  const sayAttributes = { voice: opts.voice, language: opts.language } as SayAttributes;
  const sayAll = (target: { say: VoiceResponse['say'] }) => {
    for (const text of prompt.say) target.say(sayAttributes, text);
  };
  // every Gather and Record is followed by a fallback to the same step, marked as a timeout:
  // a caller who says nothing is asked again, never left in silence
  const fallback = `${opts.actionUrl}&timeout=1`;
  if (prompt.gather) {
    const g = prompt.gather;
    const attributes: GatherAttributes = {
      input: g.input === 'dtmf speech' ? ['dtmf', 'speech'] : [g.input],
      action: opts.actionUrl,
      method: 'POST',
      timeout: g.timeout,
      actionOnEmptyResult: false,
    };
    if (g.numDigits) attributes.numDigits = g.numDigits;
    if (g.finishOnKey) attributes.finishOnKey = g.finishOnKey;
    if (g.input !== 'dtmf') {
      attributes.language = opts.language as GatherAttributes['language'];
      attributes.speechModel = 'phone_call';
      // speechTimeout="auto" is refused with a speech model: a fixed pause instead, longer for a whole order
      attributes.speechTimeout = String(g.speechTimeout ?? 2);
      if (g.hints) attributes.hints = g.hints;
    }
    sayAll(response.gather(attributes));
    response.redirect({ method: 'POST' }, fallback);
  } else if (prompt.record) {
    sayAll(response);
    response.record({
      action: opts.actionUrl,
      method: 'POST',
      maxLength: prompt.record.maxLength,
      playBeep: true,
      finishOnKey: '#',
      timeout: 8,
      recordingStatusCallback: opts.recordingCallbackUrl,
      recordingStatusCallbackMethod: 'POST',
    });
    response.redirect({ method: 'POST' }, fallback);
  } else if (prompt.dial) {
    sayAll(response);
    response.dial({ action: opts.actionUrl, method: 'POST', timeout: prompt.dial.timeout }, prompt.dial.number);
  } else {
    sayAll(response);
    if (prompt.hangup) response.hangup();
  }
  return response.toString();
}
