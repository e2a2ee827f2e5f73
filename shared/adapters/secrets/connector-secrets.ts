import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ConnectorSecrets } from '../../domain/customer360/customer-lookup.ts';
import { secretLocation } from './webhook-secrets.ts';

/**
 * Where connector secrets may live in AWS: the Customer 360 function is granted reading these prefixes
 * only (an SSM SecureString `/gongdan/connectors/crm`, or a Secrets Manager secret `gongdan/connectors/crm`).
 */
export const connectorSecretPrefixes = {
  ssm: '/gongdan/connectors/',
  secretsManager: 'gongdan/connectors/',
} as const;

/** Why the Customer 360 function may not read `ref`, or null. */
export function connectorSecretRefProblem(ref: string): string | null {
  const where = secretLocation(ref);
  if (where.kind === 'ssm') {
    return where.id.startsWith(connectorSecretPrefixes.ssm)
      ? null
      : `An SSM parameter under ${connectorSecretPrefixes.ssm} (the only ones the function may read)`;
  }
  const name = where.id.startsWith('arn:') ? (where.id.split(':secret:')[1] ?? '') : where.id;
  return name.startsWith(connectorSecretPrefixes.secretsManager)
    ? null
    : `A Secrets Manager secret named ${connectorSecretPrefixes.secretsManager}… (the only ones the function may read)`;
}

const cacheMs = 5 * 60 * 1000;

/** Connector secrets from SSM (SecureString, decrypted) or Secrets Manager, cached per container for 5 minutes. */
export function awsConnectorSecrets(clients: {
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
}): ConnectorSecrets {
  const cache = new Map<string, { at: number; value: string | undefined }>();
  return {
    async read(ref) {
      const hit = cache.get(ref);
      if (hit && Date.now() - hit.at < cacheMs) return hit.value;
      const where = secretLocation(ref);
      const value =
        where.kind === 'ssm'
          ? (await clients.ssm.send(new GetParameterCommand({ Name: where.id, WithDecryption: true })))
              .Parameter?.Value
          : (await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: where.id })))
              .SecretString;
      cache.set(ref, { at: Date.now(), value: value?.trim() || undefined });
      return value?.trim() || undefined;
    },
  };
}
