import type { Customer } from './ticket.entity.ts';

/**
 * A phone number as it is compared: the digits and a leading `+` kept, spaces, dashes, dots and
 * brackets dropped ("+86 138-0000-0000" and "+8613800000000" are the same number).
 */
export const normalizePhone = (phone: string) => phone.trim().replace(/[\s().-]/g, '');

/** A number in the one form it is compared and keyed in: E.164 where it can be one, else normalized. */
export const canonicalPhone = (phone: string) => smsNumber(phone) ?? normalizePhone(phone);

/**
 * Whether two phone numbers are the same number: "138 0013 8000", "+86 138-0013-8000" and
 * "008613800138000" are; an empty one matches nothing.
 */
export const samePhone = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && normalizePhone(a).length >= 3 && canonicalPhone(a) === canonicalPhone(b);

/**
 * The key a customer's tickets are listed under (the `byCustomer` index): the e-mail address lower-cased,
 * or `tel:` and the normalized number for a customer known by phone only.
 */
export const customerKey = (customer: Pick<Customer, 'email' | 'phone'>) =>
  customer.email ? customer.email.toLowerCase() : `tel:${canonicalPhone(customer.phone ?? '')}`;

/** How a customer is told about their ticket: by mail when there is an address, else by SMS. */
export const customerReach = (customer: Pick<Customer, 'email' | 'phone'>): 'email' | 'sms' | null =>
  customer.email ? 'email' : customer.phone ? 'sms' : null;

/**
 * A customer's phone number as an SMS gateway takes it (E.164), or null when it cannot be one. A
 * number without a country code is taken as Chinese (`defaultCountryCode` 86: "138 0000 0000" →
 * "+8613800000000", a trunk 0 dropped); `00` is the international prefix.
 */
export function smsNumber(phone: string | undefined, defaultCountryCode = '86'): string | null {
  if (!phone) return null;
  const n = normalizePhone(phone);
  const e164 = n.startsWith('+')
    ? n
    : n.startsWith('00')
      ? `+${n.slice(2)}`
      : `+${defaultCountryCode}${n.replace(/^0/, '')}`;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : null;
}
