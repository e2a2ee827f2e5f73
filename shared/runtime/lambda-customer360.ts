import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsConnectorSecrets, connectorSecretRefProblem } from '../adapters/secrets/connector-secrets.ts';
import type { ApiDeps } from '../http/route.ts';
import type { Customer360Services } from '../use-cases/customer-360.ts';
import { awsObservability } from './aws/observability.ts';
import { apiDeps, once, platform } from './lambda.ts';
import { wireCustomer360 } from './wire-customer360.ts';

/**
 * The Customer 360 routes (`/tickets/{id}/customer-360`, `/config/connectors`, `/customers/mappings`):
 * the API's deps and the connectors, with secrets from SSM / Secrets Manager under the prefixes the
 * function is granted (`connectorSecretPrefixes`). Only https is called.
 */
export const customer360Deps = /* @__PURE__ */ once((): ApiDeps & { customer360: Customer360Services } => {
  const { tracer } = awsObservability();
  return {
    ...apiDeps(),
    customer360: wireCustomer360(process.env, platform(), {
      secrets: awsConnectorSecrets({
        ssm: tracer.captureAWSv3Client(new SSMClient({})),
        secretsManager: tracer.captureAWSv3Client(new SecretsManagerClient({})),
      }),
      allowLoopbackHttp: false,
      secretRefProblem: connectorSecretRefProblem,
    }),
  };
});
