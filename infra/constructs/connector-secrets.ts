import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { connectorSecretPrefixes } from '#shared/adapters/secrets/connector-secrets.ts';
import type { GongdanFunction } from './gongdan-function.ts';

/**
 * Customer 360's auth headers (docs/integrations.md): the connectors are runtime configuration
 * (`PUT /config/connectors`), so the secrets they name are not known at synthesis. The function may read
 * the SSM parameters and Secrets Manager secrets under the connectors' prefix and nothing else; the
 * configuration refuses a `secretRef` outside it (`connectorSecretRefProblem`). SecureStrings under the
 * AWS-managed `aws/ssm` key need no KMS grant.
 */
export function grantConnectorSecrets(fn: GongdanFunction): void {
  const stack = Stack.of(fn);
  const parameters = stack.formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: `${connectorSecretPrefixes.ssm.replace(/^\//, '')}*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const secrets = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${connectorSecretPrefixes.secretsManager}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameters] }));
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }),
  );
  const reason =
    'Customer 360 connectors are runtime configuration: the function reads only the secrets under the ' +
    "connectors' prefix, and the configuration refuses any other secretRef";
  // cdk-nag names the finding by the ARN as written, with unresolved pseudo parameters as <AWS::…>.
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const arn = (service: string, resource: string) =>
    `arn:${shown(stack.partition, 'Partition')}:${service}:${shown(stack.region, 'Region')}:` +
    `${shown(stack.account, 'AccountId')}:${resource}`;
  for (const resource of [
    arn('ssm', `parameter${connectorSecretPrefixes.ssm}*`),
    arn('secretsmanager', `secret:${connectorSecretPrefixes.secretsManager}*`),
  ]) {
    Validations.of(fn.role!).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}
