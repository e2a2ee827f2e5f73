import { describe, expect, it } from 'vitest';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import { mailAuthFromSes, mailAuthOf, parseAuthenticationResults } from '#shared/domain/intake/mail-auth.ts';
import { mail } from './intake-fakes.ts';

describe('parseAuthenticationResults()', () => {
  it('reads SPF, DKIM and DMARC from an RFC 8601 header, comments and properties ignored', () => {
    // Act
    const auth = parseAuthenticationResults(
      'amazonses.com; spf=pass (spfCheck: domain of example.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=a@example.com; dkim=pass header.i=@example.com; dmarc=pass header.from=example.com',
    );

    // Assess
    expect(auth).toEqual({ spf: 'pass', dkim: 'pass', dmarc: 'pass', verdict: 'pass' });
  });

  it('fails mail whose DMARC fails, even when SPF passes for the envelope domain', () => {
    expect(
      parseAuthenticationResults(
        'mx.example.net; spf=pass smtp.mailfrom=evil.example; dkim=none; dmarc=fail',
      ),
    ).toMatchObject({ spf: 'pass', dkim: 'gray', dmarc: 'fail', verdict: 'fail' });
  });

  it('fails mail whose SPF and DKIM both fail with no DMARC verdict', () => {
    expect(parseAuthenticationResults('mx; spf=fail; dkim=permerror')).toMatchObject({ verdict: 'fail' });
  });

  it('passes when any of several DKIM signatures passes, and is neutral when nothing decides', () => {
    expect(
      parseAuthenticationResults('mx; dkim=fail header.d=a.example; dkim=pass header.d=b.example'),
    ).toMatchObject({
      dkim: 'pass',
      verdict: 'pass',
    });
    expect(parseAuthenticationResults('mx; spf=softfail; dkim=none')).toMatchObject({ verdict: 'neutral' });
    expect(parseAuthenticationResults('mx; none')).toBeNull();
  });
});

describe('mailAuthFromSes()', () => {
  it("maps SES's receipt verdicts, GRAY and PROCESSING_FAILED deciding nothing", () => {
    expect(
      mailAuthFromSes({
        spfVerdict: { status: 'FAIL' },
        dkimVerdict: { status: 'FAIL' },
        dmarcVerdict: { status: 'GRAY' },
      }),
    ).toEqual({ spf: 'fail', dkim: 'fail', dmarc: 'gray', verdict: 'fail' });
    expect(
      mailAuthFromSes({
        spfVerdict: { status: 'PROCESSING_FAILED' },
        dkimVerdict: { status: 'PASS' },
        dmarcVerdict: { status: 'PASS' },
      }),
    ).toMatchObject({ verdict: 'pass' });
    expect(mailAuthFromSes({})).toBeNull();
  });

  it('passes on SPF alone only when DMARC has no verdict', () => {
    expect(mailAuthOf({ spf: 'pass', dkim: 'gray', dmarc: 'gray' }).verdict).toBe('pass');
    expect(mailAuthOf({ spf: 'pass', dkim: 'fail', dmarc: 'fail' }).verdict).toBe('fail');
  });
});

describe('parseEmail() and sender authentication', () => {
  const forged = mail({
    headers: {
      // The receiving server prepends its own result; the one below it the sender wrote.
      'Authentication-Results': 'mx.gongdan.local; spf=fail; dkim=fail; dmarc=fail',
    },
  }).replace(
    'MIME-Version: 1.0',
    'Authentication-Results: forged.example; spf=pass; dkim=pass; dmarc=pass\r\nMIME-Version: 1.0',
  );

  it('takes the topmost Authentication-Results header when told to trust it', async () => {
    const result = await parseEmail(forged, { authenticationFromHeader: true });
    expect(result.ok && result.email.auth).toEqual({
      spf: 'fail',
      dkim: 'fail',
      dmarc: 'fail',
      verdict: 'fail',
    });
  });

  it('ignores the header otherwise, and keeps the verdicts the receiving service gave', async () => {
    const plain = await parseEmail(forged);
    const given = await parseEmail(forged, {
      authentication: { spf: 'pass', dkim: 'pass', dmarc: 'pass', verdict: 'pass' },
    });
    expect(plain.ok && plain.email.auth).toBeNull();
    expect(given.ok && given.email.auth).toMatchObject({ verdict: 'pass' });
  });
});
