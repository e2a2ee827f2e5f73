import * as z from 'zod';

/**
 * One check's outcome as the receiving server reported it: `pass`, `fail`, or `gray` for anything that
 * decides nothing (no record or signature, neutral, soft fail, a temporary error; SES's GRAY and
 * PROCESSING_FAILED).
 */
export const AuthCheck = z.enum(['pass', 'fail', 'gray']);
export type AuthCheck = z.infer<typeof AuthCheck>;

/**
 * SPF, DKIM and DMARC verdicts on an inbound mail, and what they add up to: `fail` when DMARC fails or
 * SPF and DKIM both fail (the sender is very likely forged), `pass` when DMARC passes or, with no
 * DMARC verdict, SPF or DKIM does; `neutral` otherwise.
 */
export const MailAuth = z.object({
  spf: AuthCheck,
  dkim: AuthCheck,
  dmarc: AuthCheck,
  verdict: z.enum(['pass', 'fail', 'neutral']),
});
export type MailAuth = z.infer<typeof MailAuth>;

/** The overall verdict of three checks (see MailAuth). */
export function mailAuthOf(checks: { spf: AuthCheck; dkim: AuthCheck; dmarc: AuthCheck }): MailAuth {
  const { spf, dkim, dmarc } = checks;
  const verdict =
    dmarc === 'fail' || (spf === 'fail' && dkim === 'fail')
      ? 'fail'
      : dmarc === 'pass' || (dmarc === 'gray' && (spf === 'pass' || dkim === 'pass'))
        ? 'pass'
        : 'neutral';
  return { spf, dkim, dmarc, verdict };
}

/** `spf=fail dkim=fail dmarc=fail`: the verdicts in one line, for a custom field and the log. */
export const mailAuthLine = (auth: MailAuth) => `spf=${auth.spf} dkim=${auth.dkim} dmarc=${auth.dmarc}`;

/** SES receipt verdict statuses (`receipt.spfVerdict.status`, …) → a check. */
export function sesCheck(status: string | undefined): AuthCheck {
  const value = (status ?? '').toUpperCase();
  return value === 'PASS' ? 'pass' : value === 'FAIL' ? 'fail' : 'gray';
}

/** The verdicts SES put on a receipt; null when it carries none (nothing is known then). */
export function mailAuthFromSes(receipt: {
  spfVerdict?: { status?: string } | undefined;
  dkimVerdict?: { status?: string } | undefined;
  dmarcVerdict?: { status?: string } | undefined;
}): MailAuth | null {
  if (!receipt.spfVerdict && !receipt.dkimVerdict && !receipt.dmarcVerdict) return null;
  return mailAuthOf({
    spf: sesCheck(receipt.spfVerdict?.status),
    dkim: sesCheck(receipt.dkimVerdict?.status),
    dmarc: sesCheck(receipt.dmarcVerdict?.status),
  });
}

/** RFC 8601 result values → a check; permerror is the sender's broken record, so a failure. */
const resultCheck = (result: string): AuthCheck => {
  const value = result.toLowerCase();
  if (value === 'pass') return 'pass';
  if (value === 'fail' || value === 'hardfail' || value === 'permerror') return 'fail';
  return 'gray';
};

/**
 * Reads one `Authentication-Results` header value (RFC 8601): `authserv-id; spf=pass …; dkim=fail …;
 * dmarc=fail …`. Several DKIM results (several signatures) pass when any passes. Null when the header
 * names none of the three methods. Only a header the receiving server itself wrote may be trusted
 * (the topmost one, where it prepends its own): a sender can write any header it likes below it.
 */
export function parseAuthenticationResults(value: string): MailAuth | null {
  const results = value
    .replace(/\([^()]*\)/g, ' ')
    .split(';')
    .slice(1)
    .map((part) => /^\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)/i.exec(part))
    .filter((m) => m !== null)
    .map((m) => ({ method: m[1]!.toLowerCase(), check: resultCheck(m[2]!) }));
  if (results.length === 0) return null;
  const of = (method: string): AuthCheck => {
    const checks = results.filter((r) => r.method === method).map((r) => r.check);
    return checks.includes('pass') ? 'pass' : checks.includes('fail') ? 'fail' : 'gray';
  };
  return mailAuthOf({ spf: of('spf'), dkim: of('dkim'), dmarc: of('dmarc') });
}
