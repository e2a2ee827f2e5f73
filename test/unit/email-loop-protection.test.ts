import { describe, expect, it } from 'vitest';
import {
  automatedVerdict,
  defaultSenderRatePolicy,
  isAutomated,
  rateDecision,
  shouldAutoReply,
} from '#shared/domain/intake/loop-protection.ts';
import { mail, parsed, readFixture } from './intake-fakes.ts';

const withHeaders = (headers: Record<string, string>, over: Parameters<typeof mail>[0] = {}) =>
  parsed(mail({ headers, ...over }));

describe('automatedVerdict()', () => {
  it.each([
    [{ 'Auto-Submitted': 'auto-replied (vacation)' }, 'auto-reply', 'auto-submitted: auto-replied'],
    [{ 'Auto-Submitted': 'auto-generated' }, 'bulk', 'auto-submitted: auto-generated'],
    [{ 'X-Autoreply': 'yes' }, 'auto-reply', 'x-autoreply'],
    [{ 'X-Autorespond': 'Vacation' }, 'auto-reply', 'x-autorespond'],
    [{ Precedence: 'bulk' }, 'bulk', 'precedence: bulk'],
    [{ Precedence: 'list' }, 'bulk', 'precedence: list'],
    [{ Precedence: 'junk' }, 'bulk', 'precedence: junk'],
    [{ Precedence: 'auto_reply' }, 'auto-reply', 'precedence: auto_reply'],
    [{ 'List-Id': 'Ops <ops.lists.example.com>' }, 'bulk', 'list-id'],
    [{ 'Return-Path': '<>' }, 'auto-reply', 'null return-path'],
  ])('classifies %o as %s', async (headers, kind, reason) => {
    expect(automatedVerdict(await withHeaders(headers))).toEqual({ kind, reason });
  });

  it('does not treat Auto-Submitted: no, or a person, as a machine', async () => {
    expect(isAutomated(await withHeaders({ 'Auto-Submitted': 'no' }))).toBe(false);
    expect(isAutomated(await withHeaders({ 'X-Autoreply': 'no' }))).toBe(false);
    expect(isAutomated(await parsed(mail({})))).toBe(false);
  });

  it('recognises bounces by report type and by mailer-daemon or postmaster senders', async () => {
    const dsn = await parsed(readFixture('nodemailer-mailparser/delivery-status.eml'));
    expect(automatedVerdict(dsn)?.kind).toBe('bounce');
    const report = await parsed(readFixture('php-mime-mail-parser/failure.eml'));
    expect(automatedVerdict(report)).toEqual({
      kind: 'bounce',
      reason: 'content-type: multipart/report; report-type=delivery-status',
    });
    const postmaster = await parsed(mail({ from: 'postmaster@example.com', subject: 'Undeliverable' }));
    expect(automatedVerdict(postmaster)).toEqual({ kind: 'bounce', reason: 'sender is a mail daemon' });
  });

  it('recognises auto-reply subjects only with their colon', async () => {
    for (const subject of [
      'Automatic reply: Printer',
      '自动回复: 打印机',
      'Out of Office: back Monday',
      'Auto: away',
    ]) {
      expect(automatedVerdict(await parsed(mail({ subject })))?.kind, subject).toBe('auto-reply');
    }
    expect(isAutomated(await parsed(mail({ subject: 'Out of office hours support needed' })))).toBe(false);
  });
});

describe('rateDecision()', () => {
  it('allows, then suppresses replies, then refuses, as a sender sends more', () => {
    const policy = { windowMinutes: 60, autoReplyLimit: 5, intakeLimit: 60 };
    expect(rateDecision(5, policy)).toBe('allow');
    expect(rateDecision(6, policy)).toBe('suppress_auto_reply');
    expect(rateDecision(60, policy)).toBe('suppress_auto_reply');
    expect(rateDecision(61, policy)).toBe('reject');
    expect(defaultSenderRatePolicy).toEqual(policy);
  });
});

describe('shouldAutoReply()', () => {
  it('answers a person within the rate limit', async () => {
    expect(shouldAutoReply(await parsed(mail({})), 'allow')).toEqual({
      send: true,
      reason: 'a person wrote to us',
    });
  });

  it('never answers a machine, a no-reply address, a suppressed sender, or one over the limit', async () => {
    const cases: [Promise<Parameters<typeof shouldAutoReply>[0]>, string][] = [
      [withHeaders({ 'Auto-Submitted': 'auto-replied' }), 'auto-reply: auto-submitted: auto-replied'],
      [withHeaders({ Precedence: 'bulk' }), 'bulk: precedence: bulk'],
      [parsed(mail({ from: 'no-reply@shop.example' })), 'no-reply sender'],
      [parsed(mail({ from: 'noreply@shop.example' })), 'no-reply sender'],
      [
        withHeaders({ 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' }),
        'x-auto-response-suppress: DR, OOF, AutoReply',
      ],
    ];
    for (const [email, reason] of cases)
      expect(shouldAutoReply(await email, 'allow')).toEqual({ send: false, reason });
    expect(shouldAutoReply(await parsed(mail({})), 'suppress_auto_reply')).toEqual({
      send: false,
      reason: 'sender rate limit',
    });
  });
});
