import { describe, expect, it } from 'vitest';
import { loggedUrl } from '../src/app.js';

describe('URLs in the request log', () => {
  it('mask phone numbers, also URL-encoded', () => {
    expect(loggedUrl('/twilio/status?messageId=abc&to=%2B33612345678')).toBe('/twilio/status?messageId=abc&to=+33•••••••78');
    expect(loggedUrl('/x?q=06+12+34+56+78')).toBe('/x?q=06••••••78');
    expect(loggedUrl('/x?q=%E0%A4%A')).toBe('/x?q=%E0%A4%A');
  });
  it('keep the staff pages’ and demo phones’ queries out entirely', () => {
    expect(loggedUrl('/console/customers?q=Madame%20Martin')).toBe('/console/customers?…');
    expect(loggedUrl('/dev/phone/api/thread?phone=%2B33612345678')).toBe('/dev/phone/api/thread?…');
    expect(loggedUrl('/console/tasks')).toBe('/console/tasks');
  });
});
