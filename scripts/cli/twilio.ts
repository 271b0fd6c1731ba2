// `twilio connect` points a group's Twilio numbers at this service (IncomingPhoneNumbers: SmsUrl,
// VoiceUrl, StatusCallback and the fallbacks, all from PUBLIC_BASE_URL) and prints what changed;
// `twilio check` reads them back and says what is wrong. Registered by scripts/cli.ts.
import type { Command } from 'commander';
import { loadConfig } from '../../src/config.js';
import { createTwilioClient } from '../../src/platform/twilio.js';
import { checkNumber, connectNumber, wantedSettings } from '../../src/platform/twilioNumbers.js';
import type { CliContext } from './imports.js';

interface TwilioOptions {
  group?: string;
  voiceFallbackUrl?: string;
  smsFallbackUrl?: string;
}

export function registerTwilioCommands(program: Command, ctx: CliContext): void {
  const twilio = program.command('twilio').description("the group's Twilio numbers, configured through the Twilio API");
  const setup = async (o: TwilioOptions) => {
    const config = loadConfig();
    const db = await ctx.database();
    const g = await ctx.resolveGroup(db, o.group);
    const numbers = await db.groupNumber.findMany({ where: { groupId: g.id }, orderBy: { phone: 'asc' } });
    const client = createTwilioClient(config.twilio.accountSid, config.twilio.authToken, config.twilio.apiBaseUrl);
    const wanted = wantedSettings(config.publicBaseUrl, { voice: o.voiceFallbackUrl, sms: o.smsFallbackUrl });
    if (config.twilio.demoMode) console.log(`demo mode: talking to the Twilio stand-in at ${config.twilio.apiBaseUrl}`);
    return { g, numbers, client, wanted };
  };
  const fallbackOptions = (c: Command) =>
    c
      .option('--voice-fallback-url <url>', 'the voice "primary handler fails" URL (best hosted apart from the service, e.g. a TwiML Bin)')
      .option('--sms-fallback-url <url>', 'the messaging "primary handler fails" URL');

  fallbackOptions(
    twilio
      .command('connect')
      .description("set the group's numbers' SmsUrl, VoiceUrl, StatusCallback and fallbacks from PUBLIC_BASE_URL, and print what changed")
      .addOption(ctx.groupOption()),
  ).action(async (o: TwilioOptions) => {
    const { g, numbers, client, wanted } = await setup(o);
    for (const n of numbers) {
      const { changes } = await connectNumber(client, n.phone, wanted);
      if (changes.length === 0) console.log(`${n.phone}: already right`);
      for (const c of changes) console.log(`${n.phone}: ${c.field}: ${c.from || '(empty)'} → ${c.to || '(empty)'}`);
    }
    if (numbers.length === 0) console.log(`group ${g.slug} has no number yet: npm run cli -- group add-number --number +33…`);
  });

  fallbackOptions(
    twilio
      .command('check')
      .description("read the group's numbers back from Twilio and say what is wrong (a number pointing elsewhere, http instead of https)")
      .addOption(ctx.groupOption()),
  ).action(async (o: TwilioOptions) => {
    const { numbers, client, wanted } = await setup(o);
    let wrong = 0;
    for (const n of numbers) {
      const problems = await checkNumber(client, n.phone, wanted);
      if (problems.length === 0) console.log(`${n.phone}: ok`);
      for (const p of problems) console.log(`${n.phone}: ${p}`);
      if (problems.length > 0) wrong++;
    }
    if (wrong > 0) {
      console.log(`${wrong} number(s) to fix: npm run cli -- twilio connect`);
      process.exitCode = 1;
    }
  });
}
