import { describe, expect, it } from 'vitest';
import { type ImportOptions, openImport } from '../../../shared/domain/import/check-import.ts';
import { readDate } from '../../../shared/domain/import/import-dates.ts';
import { isPhone, readEnum } from '../../../shared/domain/import/import-values.ts';
import { collect, sourceOf, utf8 } from './support.ts';

const shanghai = { timeZone: 'Asia/Shanghai' };

describe('readDate()', () => {
  it.each([
    ['2026-01-21T09:05:00+08:00', '2026-01-21T01:05:00.000Z'],
    ['2026-01-21T09:05:00Z', '2026-01-21T09:05:00.000Z'],
    ['2026-01-21 09:05', '2026-01-21T01:05:00.000Z'],
    ['2026-01-21', '2026-01-20T16:00:00.000Z'],
    ['2026/1/21 9:05', '2026-01-21T01:05:00.000Z'],
    ['2026.01.21', '2026-01-20T16:00:00.000Z'],
    ['21/01/2026', '2026-01-20T16:00:00.000Z'],
    ['1/21/2026 9:05 PM', '2026-01-21T13:05:00.000Z'],
    ['05/05/2026', '2026-05-04T16:00:00.000Z'],
    ['2026年1月21日', '2026-01-20T16:00:00.000Z'],
    ['2026年1月21日 9点5分', '2026-01-21T01:05:00.000Z'],
    ['2026年1月21日 下午3点', '2026-01-21T07:00:00.000Z'],
    ['20260121', '2026-01-20T16:00:00.000Z'],
    ['46043', '2026-01-20T16:00:00.000Z'],
    ['46043.75', '2026-01-21T10:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(readDate(text, shanghai)).toEqual({ kind: 'ok', iso });
  });

  it('reads an Excel serial number and a workbook date cell in the time zone', () => {
    expect(readDate(46043.5, shanghai)).toEqual({ kind: 'ok', iso: '2026-01-21T04:00:00.000Z' });
    expect(readDate(new Date(Date.UTC(2026, 0, 21, 9, 5)), { timeZone: 'Europe/Berlin' })).toEqual({
      kind: 'ok',
      iso: '2026-01-21T08:05:00.000Z',
    });
  });

  it('flags 03/04/2026 with both readings and guesses neither', () => {
    expect(readDate('03/04/2026', shanghai)).toEqual({
      kind: 'ambiguous',
      readings: ['2026-03-04', '2026-04-03'],
    });
    expect(readDate('03/04/2026 09:05', shanghai)).toEqual({
      kind: 'ambiguous',
      readings: ['2026-03-04 09:05', '2026-04-03 09:05'],
    });
  });

  it('reads it by the date order when one is given', () => {
    expect(readDate('03/04/2026', { ...shanghai, dateOrder: 'dmy' })).toEqual({
      kind: 'ok',
      iso: '2026-04-02T16:00:00.000Z',
    });
    expect(readDate('03/04/2026', { ...shanghai, dateOrder: 'mdy' })).toEqual({
      kind: 'ok',
      iso: '2026-03-03T16:00:00.000Z',
    });
  });

  it.each(['2026-02-30', '31/02/2026', '13/13/2026', 'yesterday', '2026年13月1日', '21-01-26'])(
    'refuses %s',
    (text) => {
      expect(readDate(text, shanghai)).toEqual({ kind: 'invalid' });
    },
  );
});

describe('readEnum()', () => {
  it.each([
    ['priority', 'High', { kind: 'ok', value: 'high' }],
    ['priority', ' URGENT ', { kind: 'ok', value: 'urgent' }],
    ['priority', 'Hign', { kind: 'unknown', suggestion: 'high' }],
    ['priority', 'urgnet', { kind: 'unknown', suggestion: 'urgent' }],
    ['priority', '紧急', { kind: 'unknown', suggestion: 'urgent' }],
    ['priority', '緊急', { kind: 'unknown', suggestion: 'urgent' }],
    ['priority', 'P1', { kind: 'unknown', suggestion: 'urgent' }],
    ['status', '已解决', { kind: 'unknown', suggestion: 'resolved' }],
    ['status', '已解決', { kind: 'unknown', suggestion: 'resolved' }],
    ['status', 'In Progress', { kind: 'unknown', suggestion: 'open' }],
    ['status', 'closd', { kind: 'unknown', suggestion: 'closed' }],
    ['customerTier', 'VIP客户', { kind: 'unknown', suggestion: 'vip' }],
    ['customerTier', 'vip', { kind: 'ok', value: 'vip' }],
    ['channel', '电话', { kind: 'unknown', suggestion: 'phone' }],
    ['channel', 'emial', { kind: 'unknown', suggestion: 'email' }],
    ['priority', '好', { kind: 'unknown' }],
    ['priority', 'whatever', { kind: 'unknown' }],
    ['priority', 'hgih', { kind: 'unknown', suggestion: 'high' }],
  ] as const)('reads %s %o as %o', (field, raw, expected) => {
    expect(readEnum(field, raw)).toEqual(expected);
  });
});

describe('isPhone()', () => {
  it.each([
    '13800138000',
    '+86 138 0013 8000',
    '138-0013-8000',
    '010-62345678',
    '(0755) 8888 6666',
    '021-62345678转8001',
    '400-820-8820',
    '+44 20 7946 0958',
    '+1 (415) 555-0100',
  ])('accepts %s', (phone) => expect(isPhone(phone)).toBe(true));
  it.each(['12345', '1380013800', '23800138000', '010-1234', 'call me', '+0 123456789'])(
    'refuses %s',
    (phone) => expect(isPhone(phone)).toBe(false),
  );
});

async function checkCsv(text: string, options: ImportOptions = {}) {
  const opened = await openImport(sourceOf(utf8(text)), options);
  return { opened, rows: await collect(opened.rows) };
}

describe('openImport() column mapping', () => {
  it('maps English headers by their synonyms, whatever the case and spacing', async () => {
    const { opened, rows } = await checkCsv(
      'Ticket No,TITLE,Customer E-mail,created_at,Legacy Notes,Priority\nT-1,Cannot log in,a@example.com,2026-01-21,x,low\n',
    );
    expect(opened.mapping).toEqual({
      'Ticket No': 'externalId',
      TITLE: 'subject',
      'Customer E-mail': 'customerEmail',
      created_at: 'createdAt',
      'Legacy Notes': null,
      Priority: 'priority',
    });
    expect(rows[0]?.issues).toEqual([]);
  });

  it('lets the caller map a column, ignore one, and override a synonym', async () => {
    const { opened, rows } = await checkCsv(
      '编号,主题,备注,邮箱,联系邮箱,创建时间\nT-1,无法登录,老客户,old@example.com,new@example.com,2026-01-21\n',
      { mapping: { 备注: 'description', 联系邮箱: 'customerEmail', 邮箱: null } },
    );
    expect(opened.mapping).toEqual({
      编号: 'externalId',
      主题: 'subject',
      备注: 'description',
      邮箱: null,
      联系邮箱: 'customerEmail',
      创建时间: 'createdAt',
    });
    expect(rows[0]?.values).toMatchObject({ description: '老客户', customer: { email: 'new@example.com' } });
  });
});

describe('openImport() with hostile header names', () => {
  it('keeps __proto__ and constructor as plain headers', async () => {
    const { opened, rows } = await checkCsv(
      '__proto__,constructor,工单号,标题,客户邮箱,创建时间\nx,y,T-1,无法登录,a@example.com,2026-01-21\n',
      { mapping: { constructor: 'description' } as ImportOptions['mapping'] },
    );
    expect(Object.entries(opened.mapping).slice(0, 2)).toEqual([
      ['__proto__', null],
      ['constructor', 'description'],
    ]);
    expect(rows[0]?.values?.description).toBe('y');
  });
});

describe('openImport() row checks', () => {
  const head = '工单号,标题,描述,优先级,状态,客户邮箱,客户电话,客户等级,创建时间,解决时间,关闭时间,标签\n';

  it('checks required fields, e-mail, phone and lengths against the Ticket entity', async () => {
    const { rows } = await checkCsv(
      `${head}` +
        `,,,,,,,,,,,\n` +
        `T-2,${'长'.repeat(201)},${'x'.repeat(20_001)},,,not-mail,12345,,2026-01-21,,,\n` +
        `T-3,${'长'.repeat(200)},${'x'.repeat(20_000)},,,ok@example.com,,,2026-01-21,,,\n` +
        `,无法登录,,,,ok@example.com,,,yesterday,,,\n`,
    );
    expect(rows.map((r) => r.row)).toEqual([3, 4, 5]); // the blank row 2 is skipped
    expect(rows[0]?.issues.map((i) => [i.column, i.code])).toEqual([
      ['标题', 'TOO_LONG'],
      ['描述', 'TOO_LONG'],
      ['优先级', 'DEFAULT_USED'],
      ['客户邮箱', 'EMAIL_INVALID'],
      ['客户电话', 'PHONE_INVALID'],
    ]);
    expect(rows[1]?.issues).toEqual([expect.objectContaining({ code: 'DEFAULT_USED' })]);
    expect(rows[1]?.values?.subject).toHaveLength(200);
    expect(rows[2]?.issues.map((i) => [i.column, i.code])).toEqual([
      ['工单号', 'REQUIRED'],
      ['优先级', 'DEFAULT_USED'],
      ['创建时间', 'DATE_INVALID'],
    ]);
  });

  it('requires an e-mail address or a phone number for the customer', async () => {
    const { rows } = await checkCsv(
      `${head}T-1,无法登录,,low,,,,,2026-01-21,,,\nT-2,无法登录,,low,,,13800138000,,2026-01-21,,,\n`,
    );
    expect(rows[0]?.issues.map((i) => [i.column, i.code])).toEqual([['客户邮箱', 'REQUIRED']]);
    expect(rows[1]?.values?.customer).toEqual({ phone: '13800138000', tier: 'standard' });
  });

  it('flags a duplicate ticket number on its later row, naming the first', async () => {
    const { rows } = await checkCsv(
      `${head}T-1,a,,low,,a@example.com,,,2026-01-21,,,\nT-2,b,,low,,a@example.com,,,2026-01-21,,,\nT-1,c,,low,,a@example.com,,,2026-01-21,,,\n`,
    );
    expect(rows.map((r) => r.issues.map((i) => i.code))).toEqual([[], [], ['DUPLICATE_IN_FILE']]);
    expect(rows[2]?.issues[0]?.message).toBe('Ticket number "T-1" already appears on row 2');
  });

  it('derives the status from the history, keeps the times, and splits tags', async () => {
    const { rows } = await checkCsv(
      `${head}` +
        `T-1,a,,low,,a@example.com,,vip,2026-01-21 09:00,2026-01-22 10:00,2026-01-23 11:00,"打印机，网络; 紧急"\n` +
        `T-2,b,,low,,a@example.com,,,2026-01-21 09:00,2026-01-22 10:00,,\n` +
        `T-3,c,,low,pending,a@example.com,,,2026-01-21 09:00,,,\n`,
    );
    expect(rows[0]?.values).toMatchObject({
      status: 'closed',
      channel: 'import',
      customer: { tier: 'vip' },
      createdAt: '2026-01-21T01:00:00.000Z',
      resolvedAt: '2026-01-22T02:00:00.000Z',
      closedAt: '2026-01-23T03:00:00.000Z',
      tags: ['打印机', '网络', '紧急'],
    });
    expect(rows.map((r) => r.values?.status)).toEqual(['closed', 'resolved', 'pending']);
  });

  it('refuses more than 20 tags or a tag over 50 characters', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`).join(',');
    const { rows } = await checkCsv(
      `${head}T-1,a,,low,,a@example.com,,,2026-01-21,,,"${many}"\nT-2,a,,low,,a@example.com,,,2026-01-21,,,${'t'.repeat(51)}\n`,
    );
    expect(rows.map((r) => r.issues.map((i) => i.code))).toEqual([['TOO_LONG'], ['TOO_LONG']]);
  });

  it('keeps a phone number starting with + as a phone, not a formula', async () => {
    const { rows } = await checkCsv(`${head}T-1,a,,low,,,+86 138 0013 8000,,2026-01-21,,,\n`);
    expect(rows[0]?.issues).toEqual([]);
  });

  it('reads the file again on every iteration of rows', async () => {
    let calls = 0;
    const bytes = utf8(
      `${head}T-1,a,,low,,a@example.com,,,2026-01-21,,,\nT-1,b,,low,,a@example.com,,,2026-01-21,,,\n`,
    );
    const source = () => {
      calls += 1;
      return sourceOf(bytes)();
    };
    const opened = await openImport(source);
    const before = calls;
    const first = await collect(opened.rows);
    const second = await collect(opened.rows);
    expect(calls).toBe(before + 2);
    expect(second).toEqual(first); // duplicates are counted per pass, not across passes
    expect(second[1]?.issues.map((i) => i.code)).toEqual(['DUPLICATE_IN_FILE']);
  });

  it('refuses an unknown time zone', async () => {
    await expect(
      checkCsv(`${head}T-1,a,,low,,a@example.com,,,2026-01-21,,,\n`, { timeZone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
    });
  });
});
