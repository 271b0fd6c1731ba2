import { describe, expect, it } from 'vitest';
import { residentNotice } from '../i18n/notices.js';
import { messageBody, residentNotices, senderFor } from './recipients.js';

const resident = { id: 'c1', name: 'Mme Martin', phone: '+33612345678', lineType: 'mobile', preferredChannel: 'sms', smsOptedOut: false, secondaryContactPhone: null };
const text = residentNotice.delivered(12);

describe('who is told, and how', () => {
  it('a resident on a mobile by SMS, a landline or a voice preference by a call', () => {
    expect(residentNotices(resident, text, { kind: 'k', orderId: 'o' }).map((n) => [n.role, n.channel])).toEqual([['resident', 'sms']]);
    expect(residentNotices({ ...resident, phone: '+33386000000', lineType: 'unknown' }, text, { kind: 'k', orderId: 'o' })[0]!.channel).toBe('voice');
    expect(residentNotices({ ...resident, preferredChannel: 'voice' }, text, { kind: 'k', orderId: 'o' })[0]!.channel).toBe('voice');
  });
  it('the secondary contact gets the same notice, about the resident', () => {
    const notices = residentNotices({ ...resident, secondaryContactPhone: '+33698765432' }, text, { kind: 'k', orderId: 'o' });
    expect(notices.map((n) => n.role)).toEqual(['resident', 'contact']);
    expect(notices[1]!.text.sms).toBe('Pour Mme Martin : Votre panier 12 a été livré. Merci et bonne journée !');
    expect(notices[1]!.to).toBe('+33698765432');
  });
  it('SMS bodies stay in GSM-7 and one segment for the usual notices', () => {
    const body = messageBody({ kind: 'k', role: 'resident', to: '+336', channel: 'sms', text: residentNotice.ready(12, 'vendredi 4 décembre 16h-19h', 'Epicerie du bourg'), customerId: null, orderId: null, expectsReply: false, priority: 2 });
    expect(body.encoding).toBe('GSM-7');
    expect(body.segments).toBe(1);
    expect(body.body).toContain('est pret');
  });
});

describe('sender identity (French rules)', () => {
  const numbers = ['+33970000001'];
  it('a phone number sends everything', () => {
    expect(senderFor({ smsSenderKind: 'phone_number', smsSender: null, numbers }, false)).toBe('+33970000001');
  });
  it('an alphanumeric ID cannot be answered: what expects a reply goes from the number', () => {
    const g = { smsSenderKind: 'alphanumeric' as const, smsSender: 'PANIER', numbers };
    expect(senderFor(g, false)).toBe('PANIER');
    expect(senderFor(g, true)).toBe('+33970000001');
  });
  it('a Messaging Service picks its own number', () => {
    expect(senderFor({ smsSenderKind: 'messaging_service', smsSender: 'MG' + 'a'.repeat(32), numbers }, true)).toBe('MG' + 'a'.repeat(32));
  });
});
