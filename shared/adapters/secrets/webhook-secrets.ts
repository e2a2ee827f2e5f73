import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { WebhookSecrets } from '../../domain/intake/intake.ports.ts';

/** How long a secret is cached in a warm container; a rotation is picked up within this time. */
const cacheMs = 5 * 60 * 1000;

/**
 * Where a `secretRef` points: a Secrets Manager secret (`arn:aws:secretsmanager:…` or
 * `secretsmanager:<name>`), else an SSM parameter name (`/gongdan/webhooks/grafana`, a SecureString).
 */
export function secretLocation(ref: string): { kind: 'secretsmanager' | 'ssm'; id: string } {
  if (ref.startsWith('arn:aws:secretsmanager:') || ref.startsWith('arn:aws-cn:secretsmanager:')) {
    return { kind: 'secretsmanager', id: ref };
  }
  if (ref.startsWith('secretsmanager:'))
    return { kind: 'secretsmanager', id: ref.slice('secretsmanager:'.length) };
  return { kind: 'ssm', id: ref.startsWith('ssm:') ? ref.slice(4) : ref };
}

/**
 * A secret's value as the list of secrets that may sign: a JSON array (`["current", "previous"]`, while
 * a sender rotates), a JSON object with `current` / `previous`, or the plain secret.
 */
export function secretsFromValue(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const parsed: unknown = JSON.parse(trimmed);
    const list = Array.isArray(parsed)
      ? parsed
      : [(parsed as Record<string, unknown>).current, (parsed as Record<string, unknown>).previous];
    return list.filter((s): s is string => typeof s === 'string' && s.length > 0);
  }
  return trimmed ? [trimmed] : [];
}

/**
 * Webhook secrets from SSM Parameter Store (SecureString, decrypted) or Secrets Manager, cached per
 * container. The function may read only the parameters and secrets its sources name (the stack grants
 * exactly those).
 */
export function awsWebhookSecrets(clients: {
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
}): WebhookSecrets {
  const cache = new Map<string, { at: number; secrets: string[] }>();
  return {
    async forSource(config) {
      const hit = cache.get(config.secretRef);
      if (hit && Date.now() - hit.at < cacheMs) return hit.secrets;
      const where = secretLocation(config.secretRef);
      const value =
        where.kind === 'ssm'
          ? (await clients.ssm.send(new GetParameterCommand({ Name: where.id, WithDecryption: true })))
              .Parameter?.Value
          : (await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: where.id })))
              .SecretString;
      const secrets = secretsFromValue(value ?? '');
      cache.set(config.secretRef, { at: Date.now(), secrets });
      return secrets;
    },
  };
}
