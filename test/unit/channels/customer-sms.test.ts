import { describe, expect, it } from 'vitest';
import { sendCustomerSms, smsBody } from '#shared/channels/customer-sms.ts';
import { customerTime } from '#shared/channels/portal/portal-time.ts';
import type { Notification, Notifier } from '#shared/domain/notify/notifier.ts';
import { customerKey, samePhone, smsNumber } from '#shared/domain/ticket/customer-contact.ts';
import { Customer } from '#shared/domain/ticket/ticket.entity.ts';
import { ticket as baseTicket } from '../../fixtures/tickets.ts';

const phoneOnly = (overrides = {}) =>
  baseTicket({
    subject: '电梯故障',
    customer: { phone: '138 0013 8000', tier: 'standard' },
    sla: {
      policy: 'normal',
      firstResponseDueAt: '2026-11-20T09:00:00.000Z',
      resolutionDueAt: null,
      breached: [],
      paused: false,
    },
    ...overrides,
  });

const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe('A customer known by phone only', () => {
  it('needs an e-mail address or a phone number, and is keyed by the number', () => {
    expect(Customer.safeParse({ tier: 'standard' }).error?.issues[0]).toMatchObject({ path: ['email'] });
    expect(Customer.safeParse({ phone: '13800138000' }).success).toBe(true);
    expect(customerKey({ phone: '+86 138-0013-8000' })).toBe('tel:+8613800138000');
    expect(customerKey({ email: 'A@Example.com', phone: '1' })).toBe('a@example.com');
  });

  it('is the same number however it is written, and an SMS number in E.164', () => {
    expect(samePhone('138 0013 8000', '13800138000')).toBe(true);
    expect(samePhone('138 0013 8000', '+86 138-0013-8000')).toBe(true);
    expect(samePhone('008613800138000', '13800138000')).toBe(true);
    expect(samePhone('(021) 5555-1234', '02155551234')).toBe(true);
    expect(samePhone('13800138000', '13800138001')).toBe(false);
    expect(samePhone('', '')).toBe(false);
    expect(smsNumber('138 0013 8000')).toBe('+8613800138000');
    expect(smsNumber('0044 20 7946 0000')).toBe('+442079460000');
    expect(smsNumber('+1 (415) 555-0100')).toBe('+14155550100');
    expect(smsNumber('12')).toBeNull();
    expect(smsNumber(undefined)).toBeNull();
  });

  it('gets a short acknowledgement with the number, the expected reply in Shanghai time and the link', () => {
    const body = smsBody(phoneOnly(), { kind: 'ack' }, 'https://help.example.com/portal/status');
    // 09:00Z is 17:00 in Shanghai (UTC+8, no DST)
    expect(body).toBe(
      `已收到您的请求，工单号 GD-000001。我们将在 ${customerTime(new Date('2026-11-20T09:00:00Z'), 'zh', 'Asia/Shanghai')} 前回复您。查看进度：https://help.example.com/portal/status?number=GD-000001`,
    );
    expect(body).toContain('17:00（中国标准时间）');
    const en = smsBody(
      phoneOnly({ subject: 'Lift stuck' }),
      { kind: 'status', action: 'resolve', to: 'resolved' },
      null,
    );
    expect(en).toBe('Ticket GD-000001 is now: Resolved.');
  });

  it('is texted through the notifier in E.164 under the given key; skipped without a usable number or SMS', async () => {
    const sent: Notification[] = [];
    const notifier: Notifier = {
      async send(n) {
        sent.push(n as Notification);
        return {
          ...(n as Notification),
          id: `n-${sent.length}`,
          sentAt: '2026-11-20T08:00:00.000Z',
        } as never;
      },
    };
    const deps = { notifier, logger: silent, mail: { settings: { portalStatusUrl: null } } };
    expect(await sendCustomerSms(phoneOnly(), { kind: 'ack' }, deps, 'mail:e-1')).toBe('sent');
    expect(sent[0]).toMatchObject({
      channel: 'sms',
      to: '+8613800138000',
      kind: 'ack',
      idempotencyKey: 'mail:e-1',
    });

    const noNumber = phoneOnly({ customer: { phone: '12', tier: 'standard' } });
    expect(await sendCustomerSms(noNumber, { kind: 'ack' }, deps)).toBe('skipped');
    const off: Notifier = { send: () => Promise.reject(new Error('No notifier for channel sms')) };
    expect(await sendCustomerSms(phoneOnly(), { kind: 'ack' }, { ...deps, notifier: off })).toBe('skipped');
    const down: Notifier = { send: () => Promise.reject(new Error('SNS throttled')) };
    await expect(sendCustomerSms(phoneOnly(), { kind: 'ack' }, { ...deps, notifier: down })).rejects.toThrow(
      'SNS',
    );
    expect(sent).toHaveLength(1);
  });
});
