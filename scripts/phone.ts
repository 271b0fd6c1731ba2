// npm run phone -- sms +33612345678 "2 baguettes et 6 oeufs"
// npm run phone -- call +33612345678 1 1 1
// Texts or calls the running service (demo mode, or TWILIO_AUTH_TOKEN set) exactly as Twilio
// would, and prints what comes back. A text's reply is sent later by the worker, through Twilio
// (the stand-in in demo mode): this waits for it there (REPLY_WAIT_MS, 20 s by default). Keys: digits, * and # as given; "..." says nothing; a word
// in quotes with spaces is said aloud; "record" leaves a 12-second message.
import { Command } from 'commander';
import { DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN } from '../src/config.js';
import { DEMO_GROUP } from '../src/demo/demoData.js';
import { createPhoneSimulator, type CallInput, type CallScreen } from '../src/demo/phoneSimulator.js';
import type { ReplyState } from '../src/demo/replyWatch.js';
import { toE164 } from '../src/platform/phone.js';

const port = process.env.PORT ?? '3000';
const replyWaitMs = Number(process.env.REPLY_WAIT_MS ?? 20_000);
const publicBaseUrl = (process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
const appUrl = process.env.PHONE_APP_URL ?? `http://127.0.0.1:${port}`;
// which service this phone talks to, before anything else (the service's start banner shows its port)
console.error(`phone: the service at ${appUrl}${process.env.PORT ? ' (PORT)' : ' (port 3000; set PORT=… when the service listens elsewhere)'}`);
const simulator = createPhoneSimulator({
  appUrl,
  publicBaseUrl,
  accountSid: process.env.TWILIO_ACCOUNT_SID ?? DEMO_TWILIO_ACCOUNT_SID,
  authToken: process.env.TWILIO_AUTH_TOKEN ?? DEMO_TWILIO_AUTH_TOKEN,
});

function phone(value: string): string {
  const e164 = toE164(value);
  if (!e164) throw new Error(`not a phone number: ${value}`);
  return e164;
}

function print(screen: CallScreen): void {
  for (const line of screen.said) console.log(`  🔊 ${line}`);
  screen.said.length = 0;
  if (screen.gather) console.log(`  ⌨  (waiting for ${screen.gather.input.join('/')}${screen.gather.finishOnKey ? `, ending with ${screen.gather.finishOnKey}` : ''})`);
  if (screen.record) console.log('  ⏺  (recording after the beep, # to finish)');
  if (screen.dial) console.log(`  ☎  (put through to ${screen.dial.number})`);
  if (screen.ended) console.log('  — call ended —');
}

/** What the phone shows, or why it shows nothing yet. */
function replyText(reply: ReplyState | null): string {
  if (reply === null) return '(text taken; not in demo mode, so its reply went to Twilio and is not shown here)';
  if (reply.state === 'answered') return reply.replies.join('\n---\n');
  if (reply.state === 'no_reply') return '(no reply)';
  const waited = `${Math.round(replyWaitMs / 1000)} s`;
  if (reply.stage === 'not_stored') return `(no reply after ${waited}: the text waits in the SMS journal until the database answers)`;
  if (reply.stage === 'not_sent') return `(answered, but the reply had not reached Twilio after ${waited}: is Redis up? the worker's sender sends it)`;
  return `(no reply after ${waited}: is the worker running? \`npm start\` runs it; with --role web, start \`npm run start:worker\` too)`;
}

const program = new Command('phone').description('a phone, as Twilio would be one, for the running service');
program.option('--to <number>', "the group's number", DEMO_GROUP.number);

program
  .command('sms <from> <text...>')
  .description('text the service and print its reply')
  .action(async (from: string, text: string[]) => {
    const { messageSid } = await simulator.sms(phone(from), phone(program.opts<{ to: string }>().to), text.join(' '));
    const reply = await simulator.awaitReply(messageSid, replyWaitMs);
    console.log(replyText(reply));
    if (reply?.state === 'waiting') process.exitCode = 1;
  });

program
  .command('call <from> [keys...]')
  .description('call the service and press keys, one answer per argument')
  .action(async (from: string, keys: string[]) => {
    let screen = await simulator.startCall(phone(from), phone(program.opts<{ to: string }>().to));
    print(screen);
    for (const key of keys) {
      if (screen.ended) break;
      const input: CallInput = key === '...' ? { timeout: true } : key === 'record' ? { recording: { seconds: 12 } } : /^[0-9*#]+$/.test(key) ? { digits: key } : { speech: key };
      console.log(`> ${key}`);
      screen = await simulator.answer(screen, input, `${publicBaseUrl}/dev/phone/recording.wav`);
      print(screen);
    }
    // the caller puts the phone down (or the menu did): the call's summary is written
    await simulator.hangUp(screen);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  if (String(err).includes('fetch failed')) console.error(`Nothing answers at ${appUrl}: is the service running (npm start)? Its start banner says its port; then PORT=… npm run phone -- …`);
  process.exit(1);
});
