import 'aws-sdk-client-mock-vitest/extend';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  awsWebhookSecrets,
  secretLocation,
  secretsFromValue,
} from '#shared/adapters/secrets/webhook-secrets.ts';
import { readObject, s3AttachmentStore } from '#shared/adapters/storage/s3-attachment-store.ts';
import { WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import { sesMessageIdDomain } from '#shared/runtime/aws/reaction-edges.ts';
import { formatFrom } from '#shared/runtime/wire-reactions.ts';

const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  s3.reset();
  ssm.reset();
  secretsManager.reset();
});

const source = (secretRef: string) =>
  WebhookSourceConfig.parse({
    source: 'grafana',
    secretRef,
    mapping: { subject: 'title', customer: { email: { value: 'ops@example.com' } } },
  });

describe('s3AttachmentStore()', () => {
  it('puts a file under attachments/<ticket>/<sha256>/<safe name>, never to be rendered inline', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    const store = s3AttachmentStore(new S3Client({}), 'mail-bucket');
    const sha256 = 'b'.repeat(64);

    // Act
    const { storageKey } = await store.put({
      ticketId: 'T1',
      filename: '../../etc/现场照片.jpg',
      contentType: 'image/jpeg',
      sha256,
      content: Buffer.from('jpeg'),
    });

    // Assess
    expect(storageKey).toBe(`attachments/T1/${sha256}/现场照片.jpg`);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'mail-bucket',
      Key: storageKey,
      ContentType: 'image/jpeg',
      ContentDisposition: 'attachment',
    });
  });

  it('reads a stored raw message back as bytes', async () => {
    s3.on(GetObjectCommand, { Bucket: 'mail-bucket', Key: 'inbound/abc' }).resolves({
      // The part of the SDK's stream mixin readObject uses.
      Body: {
        transformToByteArray: async () => new Uint8Array(Buffer.from('From: a@b.c\r\n\r\nhi')),
      } as never,
    });
    expect((await readObject(new S3Client({}), 'mail-bucket', 'inbound/abc')).toString()).toBe(
      'From: a@b.c\r\n\r\nhi',
    );
  });
});

describe('webhook secrets', () => {
  it('tell SSM parameters from Secrets Manager secrets by their reference', () => {
    expect(secretLocation('/gongdan/webhooks/grafana')).toEqual({
      kind: 'ssm',
      id: '/gongdan/webhooks/grafana',
    });
    expect(secretLocation('ssm:/gongdan/x')).toEqual({ kind: 'ssm', id: '/gongdan/x' });
    expect(secretLocation('secretsmanager:gongdan/crm')).toEqual({
      kind: 'secretsmanager',
      id: 'gongdan/crm',
    });
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:crm-AbCdEf';
    expect(secretLocation(arn)).toEqual({ kind: 'secretsmanager', id: arn });
  });

  it('read a plain secret, a JSON list and a current/previous pair (rotation)', () => {
    expect(secretsFromValue(' whsec_one \n')).toEqual(['whsec_one']);
    expect(secretsFromValue('["whsec_new","whsec_old"]')).toEqual(['whsec_new', 'whsec_old']);
    expect(secretsFromValue('{"current":"whsec_new","previous":"whsec_old"}')).toEqual([
      'whsec_new',
      'whsec_old',
    ]);
    expect(secretsFromValue('{"current":"whsec_new"}')).toEqual(['whsec_new']);
    expect(secretsFromValue('')).toEqual([]);
  });

  it('fetch an SSM SecureString decrypted, once per container within the cache time', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'whsec_grafana' } });
    const secrets = awsWebhookSecrets({
      ssm: new SSMClient({}),
      secretsManager: new SecretsManagerClient({}),
    });

    // Act
    const first = await secrets.forSource(source('/gongdan/webhooks/grafana'));
    const second = await secrets.forSource(source('/gongdan/webhooks/grafana'));

    // Assess
    expect(first).toEqual(['whsec_grafana']);
    expect(second).toEqual(['whsec_grafana']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/gongdan/webhooks/grafana',
      WithDecryption: true,
    });
  });

  it('fetch a Secrets Manager secret by name', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '["whsec_a","whsec_b"]' });
    const secrets = awsWebhookSecrets({
      ssm: new SSMClient({}),
      secretsManager: new SecretsManagerClient({}),
    });
    expect(await secrets.forSource(source('secretsmanager:gongdan/crm'))).toEqual(['whsec_a', 'whsec_b']);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'gongdan/crm' });
    expect(ssm).not.toHaveReceivedAnyCommand();
  });
});

describe('customer mail through SES', () => {
  it('encodes a non-ASCII display name in the From (SES requires it in Source)', () => {
    expect(formatFrom('support@example.com', 'Gongdan 客服')).toBe(
      `=?UTF-8?B?${Buffer.from('Gongdan 客服').toString('base64')}?= <support@example.com>`,
    );
    expect(formatFrom('support@example.com', 'Desk "A"')).toBe('"Desk A" <support@example.com>');
    expect(formatFrom('support@example.com', undefined)).toBe('support@example.com');
  });

  it("knows the domain of the Message-ID SES gives each region's mail", () => {
    expect(sesMessageIdDomain('us-east-1')).toBe('email.amazonses.com');
    expect(sesMessageIdDomain('eu-central-1')).toBe('eu-central-1.amazonses.com');
  });
});
