import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerSubscriptionSecrets } from '../adapters/secrets/subscription-secrets.ts';
import type { SubscriptionSecrets } from '../domain/webhooks-out/webhooks-out.ports.ts';
import type { ApiDeps } from '../http/route.ts';
import type { WebhooksOutDeps } from '../use-cases/webhook-deliveries.ts';
import { env, readEnv } from './env.ts';
import { apiDeps, once, platform, ticketDeps } from './lambda.ts';
import { wireWebhooksOut } from './wire-webhooks-out.ts';

const refuse = async (): Promise<never> => {
  throw new Error('This function has no access to webhook signing secrets');
};
const noSecrets: SubscriptionSecrets = { put: refuse, get: refuse, delete: refuse };

/**
 * Outbound webhooks in a Lambda: the signing secrets in Secrets Manager under
 * `WEBHOOKS_OUT_SECRET_PREFIX` (the function's role reaches only that prefix).
 */
export const webhooksOutDeps = /* @__PURE__ */ once((): WebhooksOutDeps => {
  const { webhooksOutSecretPrefix } = readEnv(
    { webhooksOutSecretPrefix: env.webhooksOutSecretPrefix },
    process.env,
  );
  return wireWebhooksOut(process.env, platform(), {
    tickets: ticketDeps().tickets,
    // Functions that only read subscriptions and the log have no prefix, and no access to secrets.
    secrets: webhooksOutSecretPrefix
      ? secretsManagerSubscriptionSecrets(
          new SecretsManagerClient({ requestHandler: { requestTimeout: 3_000 } }),
          webhooksOutSecretPrefix,
        )
      : noSecrets,
  });
});

/** The subscription and delivery-log routes. */
export const webhooksOutApiDeps = /* @__PURE__ */ once((): ApiDeps & { webhooksOut: WebhooksOutDeps } => ({
  ...apiDeps(),
  webhooksOut: webhooksOutDeps(),
}));
