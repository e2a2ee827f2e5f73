import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import {
  replayDecision,
  signatureHeaderValue,
  verifyWebhookSignature,
  webhookDeliveryKeys,
  webhookSignature,
} from '#shared/domain/intake/webhook.ts';

const secret = 'whsec_test_0123456789';
const now = new Date('2026-11-20T08:00:00Z');
const nowSeconds = String(now.getTime() / 1000);
const body = '{"alert":{"name":"disk full","severity":"critical"}}';

const signed = (over: { timestamp?: string; signature?: string | null; body?: string } = {}) => {
  const timestamp = over.timestamp ?? nowSeconds;
  const headers: Record<string, string> = { 'x-gongdan-timestamp': timestamp };
  const signature =
    over.signature === undefined ? signatureHeaderValue(secret, timestamp, body) : over.signature;
  if (signature !== null) headers['x-gongdan-signature'] = signature;
  return { headers, body: over.body ?? body };
};

const failure = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('webhookSignature()', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, as openssl computes it', () => {
    // printf '%s' "1795161600.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
    const expected = createHmac('sha256', secret).update(`${nowSeconds}.${body}`).digest('hex');
    expect(webhookSignature(secret, nowSeconds, body)).toBe(expected);
    expect(webhookSignature(secret, nowSeconds, Buffer.from(body))).toBe(expected);
    expect(signatureHeaderValue(secret, nowSeconds, body)).toBe(`sha256=${expected}`);
  });
});

describe('verifyWebhookSignature()', () => {
  it('accepts a valid signature and returns the signed timestamp', () => {
    const result = verifyWebhookSignature(signed(), [secret], now);
    expect(result).toEqual({
      timestamp: Number(nowSeconds),
      signature: webhookSignature(secret, nowSeconds, body),
    });
  });

  it('accepts headers in any case, a bare hex signature, and the old secret while rotating', () => {
    const request = signed({ signature: webhookSignature('old-secret', nowSeconds, body) });
    const mixedCase = {
      headers: {
        'X-Gongdan-Timestamp': nowSeconds,
        'X-Gongdan-Signature': request.headers['x-gongdan-signature']!,
      },
      body,
    };
    expect(() => verifyWebhookSignature(mixedCase, ['new-secret', 'old-secret'], now)).not.toThrow();
  });

  it('accepts a header listing several signatures when one of them matches', () => {
    const header = `sha256=${'0'.repeat(64)}, ${signatureHeaderValue(secret, nowSeconds, body)}`;
    expect(() => verifyWebhookSignature(signed({ signature: header }), [secret], now)).not.toThrow();
  });

  it('refuses a request without a signature as WEBHOOK.SIGNATURE_MISSING', () => {
    expect(failure(() => verifyWebhookSignature(signed({ signature: null }), [secret], now))).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_MISSING',
      kind: 'unauthenticated',
    });
  });

  it('refuses a request without a timestamp, or with a malformed one', () => {
    const noStamp = {
      headers: { 'x-gongdan-signature': signatureHeaderValue(secret, nowSeconds, body) },
      body,
    };
    expect(failure(() => verifyWebhookSignature(noStamp, [secret], now)).code).toBe(
      'WEBHOOK.TIMESTAMP_MISSING',
    );
    expect(
      failure(() => verifyWebhookSignature(signed({ timestamp: '2026-11-20T08:00:00Z' }), [secret], now))
        .code,
    ).toBe('WEBHOOK.TIMESTAMP_INVALID');
  });

  it('refuses a bad signature as WEBHOOK.SIGNATURE_INVALID: wrong secret, changed body, garbage', () => {
    const wrongSecret = signed({ signature: signatureHeaderValue('another', nowSeconds, body) });
    const changedBody = signed({ body: body.replace('critical', 'low') });
    const garbage = signed({ signature: 'sha256=not-hex' });
    for (const request of [wrongSecret, changedBody, garbage]) {
      expect(failure(() => verifyWebhookSignature(request, [secret], now))).toMatchObject({
        code: 'WEBHOOK.SIGNATURE_INVALID',
        kind: 'unauthenticated',
      });
    }
  });

  it('refuses a timestamp more than five minutes old or ahead as WEBHOOK.TIMESTAMP_STALE', () => {
    const at = (offset: number) => signed({ timestamp: String(Number(nowSeconds) + offset) });
    expect(() => verifyWebhookSignature(at(-300), [secret], now)).not.toThrow();
    expect(() => verifyWebhookSignature(at(300), [secret], now)).not.toThrow();
    expect(failure(() => verifyWebhookSignature(at(-301), [secret], now))).toMatchObject({
      code: 'WEBHOOK.TIMESTAMP_STALE',
      details: { skewSeconds: -301, toleranceSeconds: 300 },
    });
    expect(failure(() => verifyWebhookSignature(at(301), [secret], now)).code).toBe(
      'WEBHOOK.TIMESTAMP_STALE',
    );
  });

  it('reports a forged signature before an old timestamp, so staleness is only said of authentic requests', () => {
    const forgedAndOld = signed({ timestamp: '1000', signature: `sha256=${'a'.repeat(64)}` });
    expect(failure(() => verifyWebhookSignature(forgedAndOld, [secret], now)).code).toBe(
      'WEBHOOK.SIGNATURE_INVALID',
    );
  });
});

describe('replayDecision()', () => {
  const keys = webhookDeliveryKeys('grafana', 'dlv-1', 'ab'.repeat(32));

  it('lets a delivery through when neither its id nor its signature has been seen', async () => {
    expect(await replayDecision([keys.delivery, keys.signature], () => false)).toEqual({ replay: false });
  });

  it('flags a replay by delivery id (a retry) and by signature (a captured request under a new id)', async () => {
    expect(await replayDecision([keys.delivery, keys.signature], (k) => k === keys.delivery)).toEqual({
      replay: true,
      key: 'webhook:grafana:delivery:dlv-1',
    });
    const other = webhookDeliveryKeys('grafana', 'made-up', 'ab'.repeat(32));
    expect(
      await replayDecision([other.delivery, other.signature], async (k) => k === keys.signature),
    ).toEqual({
      replay: true,
      key: keys.signature,
    });
  });
});
