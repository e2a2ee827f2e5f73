import { describe, expect, it } from 'vitest';
import { extractFields, maxListItems, pathProblem } from '#shared/adapters/connectors/answer-fields.ts';
import { baseUrlProblem, lookupUrl } from '#shared/adapters/connectors/rest-customer-lookup.ts';
import { connectorSecretRefProblem } from '#shared/adapters/secrets/connector-secrets.ts';
import { Connector, ConnectorsConfigInput, FieldSpec } from '#shared/domain/customer360/connectors.ts';

const spec = (path: string, format: 'text' | 'date' | 'money' | 'list' = 'text', extra: object = {}) =>
  FieldSpec.parse({ label: { zh: '字段', en: 'Field' }, path, format, ...extra });

const answer = {
  name: '上海华联商厦',
  contract: {
    validUntil: '2027-03-31',
    signedAt: '2025-04-01T08:30:00+08:00',
    fee: '128,000.50',
    epoch: 1798675200,
  },
  repairs: [
    { date: '2026-11-18', summary: '门机皮带更换', engineer: '王工' },
    { date: '2026-08-02', summary: '照明回路检修', engineer: null },
  ],
};

describe('Customer 360 fields', () => {
  describe('extractFields()', () => {
    it('reads text, dates, amounts and lists by JMESPath and formats each', () => {
      // Act
      const result = extractFields(answer, [
        spec('name'),
        spec('contract.validUntil', 'date'),
        spec('contract.signedAt', 'date'),
        spec('contract.epoch', 'date'),
        spec('contract.fee', 'money', { currency: 'CNY' }),
        spec('repairs[].[date, summary, engineer]', 'list'),
      ]);

      // Assess
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.fields.map((f) => f.value)).toEqual([
        '上海华联商厦',
        '2027-03-31',
        '2025-04-01T00:30:00.000Z',
        '2026-12-31T00:00:00.000Z',
        128000.5,
        ['2026-11-18 · 门机皮带更换 · 王工', '2026-08-02 · 照明回路检修'],
      ]);
      expect(result.fields[4]).toMatchObject({ format: 'money', currency: 'CNY' });
    });

    it('shows a list of objects by their values and keeps at most the first items', () => {
      // Prepare
      const many = { repairs: Array.from({ length: 30 }, (_, i) => ({ n: i, what: `r${i}` })) };

      // Act
      const result = extractFields(many, [spec('repairs', 'list')]);

      // Assess
      expect(result.ok && result.fields[0]!.value).toHaveLength(maxListItems);
      expect(result.ok && (result.fields[0]!.value as string[])[1]).toBe('1 · r1');
    });

    it('marks an answer malformed when a required path finds nothing, naming the field and the path', () => {
      // Act
      const result = extractFields(answer, [spec('contract.validUntill', 'date')]);

      // Assess
      expect(result).toEqual({
        ok: false,
        message: 'Field: the answer has nothing at `contract.validUntill`',
      });
    });

    it('shows an optional field that is missing as empty', () => {
      // Act
      const result = extractFields(answer, [spec('contract.discount', 'money', { optional: true })]);

      // Assess
      expect(result).toEqual({ ok: true, fields: [expect.objectContaining({ value: null })] });
    });

    it.each([
      ['a date that is not one', 'name', 'date', 'is string, not a date'],
      ['an amount that is text', 'name', 'money', 'is string, not an amount'],
      ['a list that is an object', 'contract', 'list', 'is an object, not a list'],
    ] as const)('marks %s malformed', (_, path, format, message) => {
      // Act
      const result = extractFields(answer, [spec(path, format)]);

      // Assess
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toContain(message);
    });

    it.each([
      ['a list', [answer], 'a list'],
      ['a string', 'ok', 'string'],
      ['null', null, 'null'],
    ])('marks an answer that is %s, not an object, malformed', (_, body, what) => {
      // Act
      const result = extractFields(body, [spec('name')]);

      // Assess
      expect(result).toEqual({ ok: false, message: `The answer is ${what}, not a JSON object` });
    });
  });

  describe('pathProblem()', () => {
    it('accepts JMESPath and refuses what is not', () => {
      expect(pathProblem('repairs[].[date, summary]')).toBeNull();
      expect(pathProblem('length(repairs)')).toBeNull();
      expect(pathProblem('contract.[')).toMatch(/^Not a JMESPath expression/);
      expect(pathProblem('nosuchfn(a)')).toMatch(/^Not a JMESPath expression/);
    });
  });

  describe('lookupUrl()', () => {
    const connector = {
      baseUrl: 'https://crm.example.com/api/v2',
      path: '/customers/{externalId}?expand=contract',
    };

    it('puts the key in the path percent-encoded', () => {
      expect(lookupUrl(connector, { externalId: 'CRM 1/../../admin' })?.href).toBe(
        'https://crm.example.com/api/v2/customers/CRM%201%2F..%2F..%2Fadmin?expand=contract',
      );
    });

    it('refuses a key that would climb out of the base URL, and a missing key', () => {
      expect(lookupUrl({ ...connector, path: '/{externalId}' }, { externalId: '..' })).toBeNull();
      expect(lookupUrl(connector, {})).toBeNull();
    });
  });

  describe('baseUrlProblem()', () => {
    it('calls https anywhere public, and plain http only to loopback in the local runtime', () => {
      expect(baseUrlProblem('https://crm.example.com', false)).toBeNull();
      expect(baseUrlProblem('http://127.0.0.1:4010', true)).toBeNull();
      expect(baseUrlProblem('http://127.0.0.1:4010', false)).toMatch(/Only https/);
      expect(baseUrlProblem('http://crm.example.com', true)).toMatch(/Only https/);
      expect(baseUrlProblem('https://169.254.169.254/latest', false)).toMatch(/link-local/);
      expect(baseUrlProblem('https://10.0.0.8', true)).toMatch(/private/);
      expect(baseUrlProblem('https://user:pw@crm.example.com', false)).toMatch(/credentials/);
      expect(baseUrlProblem('file:///etc/passwd', true)).toMatch(/Only https/);
    });
  });

  describe('connectorSecretRefProblem()', () => {
    it('lets the AWS function read secrets under the connectors prefix only', () => {
      expect(connectorSecretRefProblem('/gongdan/connectors/crm')).toBeNull();
      expect(connectorSecretRefProblem('secretsmanager:gongdan/connectors/crm')).toBeNull();
      expect(
        connectorSecretRefProblem(
          'arn:aws:secretsmanager:eu-central-1:123456789012:secret:gongdan/connectors/crm-AbCdEf',
        ),
      ).toBeNull();
      expect(connectorSecretRefProblem('/gongdan/webhooks/grafana')).toMatch(/under \/gongdan\/connectors\//);
      expect(connectorSecretRefProblem('secretsmanager:prod/db-password')).toMatch(/gongdan\/connectors\//);
    });
  });

  describe('the configuration schema', () => {
    const connector = {
      name: 'crm',
      title: { zh: 'CRM', en: 'CRM' },
      system: 'crm',
      baseUrl: 'https://crm.example.com',
      path: '/customers/{externalId}',
      fields: [{ label: { zh: '合同', en: 'Contract' }, path: 'contract.validUntil', format: 'date' }],
    };

    it('fills the defaults: 2 s timeout, 1 retry, 5 minutes of cache', () => {
      expect(Connector.parse(connector)).toMatchObject({ timeoutMs: 2000, retries: 1, cacheTtlSeconds: 300 });
    });

    it('refuses a placeholder the lookup does not have, and two connectors of one name', () => {
      // Act
      const result = ConnectorsConfigInput.safeParse({
        connectors: [connector, { ...connector, path: '/customers/{email}' }],
      });

      // Assess
      expect(result.success).toBe(false);
      const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      expect(issues).toContain(
        'connectors.1.path: Unknown placeholder {email}; a customer lookup may use {externalId}',
      );
      expect(issues).toContain('connectors.1.name: Another connector is already named crm');
    });
  });
});
