// Who is texting: a person's phone number, or a sender that is not a person (an operator's
// alphanumeric ID such as "SFR", a short code such as 36179). Only a person becomes a resident.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The E.164 number of a person who can be answered, or null: Twilio sends `From` in E.164 for
 * phone numbers; anything else (letters, a 5-digit short code, a number libphonenumber-js says
 * is not valid) is not someone we can serve or should store as a customer. Pure.
 */
export function personNumber(from: string): string | null {
  if (!/^\+[1-9]\d{6,14}$/.test(from)) return null;
  const parsed = parsePhoneNumberFromString(from);
  return parsed?.isValid() ? parsed.number : null;
}
