import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SubscriptionSecrets } from '../../domain/webhooks-out/webhooks-out.ports.ts';

/** Where the stack keeps the signing secrets: `<prefix>/<subscription>`; the functions reach nothing else. */
export const webhooksOutSecretPrefix = 'gongdan/webhooks-out';

/** How long a signing secret is cached in a warm container: a changed secret signs within this time. */
const cacheMs = 60_000;

/**
 * Outbound webhooks' signing secrets in Secrets Manager, one secret per subscription named
 * `<prefix>/<subscription>` (the functions may touch only names under the prefix). The table keeps the
 * name and a 4-character hint, never the value. A subscription saved again gets a new version of the
 * same secret.
 */
export function secretsManagerSubscriptionSecrets(
  client: SecretsManagerClient,
  prefix: string,
  kmsKeyId?: string,
): SubscriptionSecrets {
  const cache = new Map<string, { at: number; value: string }>();
  return {
    async put(subscription, secret) {
      const name = `${prefix}/${subscription}`;
      try {
        await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secret }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: secret,
            Description: `Signs Gongdan's outbound webhook deliveries to ${subscription}`,
            ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
          }),
        );
      }
      cache.delete(name);
      return name;
    },
    async get(ref) {
      const hit = cache.get(ref);
      if (hit && Date.now() - hit.at < cacheMs) return hit.value;
      const value = (await client.send(new GetSecretValueCommand({ SecretId: ref }))).SecretString ?? '';
      cache.set(ref, { at: Date.now(), value });
      return value;
    },
    async delete(ref) {
      cache.delete(ref);
      try {
        await client.send(new DeleteSecretCommand({ SecretId: ref, RecoveryWindowInDays: 7 }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}
