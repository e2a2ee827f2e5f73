const emailAddress = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[A-Za-z]{2,}/g;
const phoneNumber = /\+?\d[\d\s-]{6,}\d/g;

/**
 * An error message fit for logs and history: e-mail addresses and phone numbers (which provider errors
 * quote, e.g. SES naming an unverified address) replaced, and the length capped.
 */
export function redactedMessage(error: unknown, max = 300): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(emailAddress, '<address>').replace(phoneNumber, '<number>').slice(0, max);
}
