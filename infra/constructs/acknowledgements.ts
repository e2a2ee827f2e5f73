import { type App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** cdk-nag's finding for an IAM statement on every resource. */
export const resourceWildcardRule = 'AwsSolutions-IAM5[Resource::*]';

/** The actions each role may hold on Resource "*", as acknowledged (`acknowledgeResourceWildcard`). */
const reviewed = new WeakMap<IConstruct, Set<string>>();

/**
 * The actions `role` may be granted on Resource "*" and nothing else: cdk-nag's IAM5 finding for "*"
 * names no action, so acknowledging it alone would also pass any later grant on "*" (that is how an SNS
 * Publish on every topic once passed review). This acknowledges the finding with `reason` and adds a
 * synthesis check that fails, naming the action, when the role's policies allow any other action on "*".
 */
export function acknowledgeResourceWildcard(
  role: IConstruct,
  grant: { actions: readonly string[]; reason: string },
): void {
  let actions = reviewed.get(role);
  if (!actions) {
    const allowed = new Set<string>();
    actions = allowed;
    reviewed.set(role, allowed);
    role.node.addValidation({
      validate: () =>
        wildcardActions(role)
          .filter((action) => !allowed.has(action))
          .map(
            (action) =>
              `${role.node.path}: ${action} on Resource "*" is not among the acknowledged ` +
              `${[...allowed].join(', ')}; grant it on a resource, or acknowledge it with its reason`,
          ),
    });
  }
  for (const action of grant.actions) actions.add(action);
  Validations.of(role).acknowledge({
    id: resourceWildcardRule,
    reason: `${grant.reason} (actions on "*": ${grant.actions.join(', ')})`,
  });
}

/** Every action the policies attached under `role` allow on Resource "*". */
function wildcardActions(role: IConstruct): string[] {
  const stack = Stack.of(role);
  const documents = role.node
    .findAll()
    .filter((c): c is Policy => c instanceof Policy)
    .map((p) => p.document);
  const found = new Set<string>();
  for (const document of documents) {
    const json = stack.resolve(document.toJSON()) as { Statement?: Statement[] } | undefined;
    for (const statement of json?.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      if (![statement.Resource].flat().includes('*')) continue;
      for (const action of [statement.Action].flat()) if (action) found.add(action);
    }
  }
  return [...found];
}

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** The rule ids acknowledged on `c` itself (cdk-nag reads them from this metadata). */
const acknowledgedIds = (c: IConstruct) =>
  c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data as Record<string, unknown>))
    .map((id) => id.replace(/^annotation::/i, ''));

/**
 * Fails synthesis on a blanket acknowledgement: a cdk-nag finding acknowledged on the app, a stage or a
 * stack (it would cover every resource beneath, including ones added later); IAM5 acknowledged without
 * naming the finding (`AwsSolutions-IAM5` covers every wildcard of the resource); or IAM5 on Resource "*"
 * acknowledged other than through `acknowledgeResourceWildcard`, which names the actions and checks them.
 * Findings are acknowledged on the resource that raises them, each with its reason.
 */
export function forbidBlanketAcknowledgements(app: App): void {
  app.node.addValidation({
    validate: () =>
      app.node.findAll().flatMap((c) => {
        const where = c.node.path || 'the app';
        return acknowledgedIds(c).flatMap((id) => {
          if (c === app || Stage.isStage(c) || Stack.isStack(c)) {
            return [
              `${where}: ${id} is acknowledged for a whole ${c === app ? 'app' : 'stack'}; ` +
                'acknowledge it on the resource that raises it, with its reason',
            ];
          }
          if (id === 'AwsSolutions-IAM5') {
            return [
              `${where}: AwsSolutions-IAM5 is acknowledged without naming the finding (e.g. [Resource::…])`,
            ];
          }
          if (id === resourceWildcardRule && !reviewed.has(c)) {
            return [`${where}: ${id} is acknowledged without its actions; use acknowledgeResourceWildcard`];
          }
          return [];
        });
      }),
  });
}
