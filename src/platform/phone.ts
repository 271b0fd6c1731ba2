import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneLineType = 'mobile' | 'landline' | 'unknown';

/** E.164 form of a phone number typed any usual way (06 12 34 56 78, +33 6…, 0033…), or null. */
export function toE164(input: string, defaultCountry: CountryCode = 'FR'): string | null {
  // Twilio's From/To are already E.164: checked once, then remembered (every webhook asks)
  const key = `${defaultCountry}|${input}`;
  const known = e164Cache.get(key);
  if (known !== undefined) return known;
  const result = parseE164(input, defaultCountry);
  if (e164Cache.size > 50_000) e164Cache.clear();
  e164Cache.set(key, result);
  return result;
}

const e164Cache = new Map<string, string | null>();

function parseE164(input: string, defaultCountry: CountryCode): string | null {
  const cleaned = input.trim().replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** Mobile or landline, from libphonenumber's full metadata. */
export function lineTypeOf(e164: string): PhoneLineType {
  const parsed = parsePhoneNumberFromString(e164);
  const type = parsed?.getType();
  if (type === 'MOBILE') return 'mobile';
  if (type === 'FIXED_LINE') return 'landline';
  return 'unknown';
}

/** "06 12 34 56 78" for a French number (easier to dial and read aloud), E.164 otherwise. */
export function nationalPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.country === 'FR' ? parsed.formatNational() : e164;
}
