import { type EnvSource, readEnv } from '#shared/runtime/env.ts';
import { type FunctionKind, functionEnv } from '#shared/runtime/function-env.ts';

/**
 * A function's synthesized variables as the function will see them: literal values as they are, and a
 * placeholder for each CloudFormation reference (a table name, an ARN), which resolves to text at deploy.
 */
export function deployedEnv(variables: Record<string, unknown>): EnvSource {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `resolved-at-deploy:${name}`,
    ]),
  );
}

/**
 * Throws, naming each variable, unless `variables` satisfy what the wiring of `kind` reads at cold
 * start — the same schemas (shared/runtime/env.ts) the code parses them with.
 */
export function assertEnvFor(kind: FunctionKind, variables: Record<string, unknown>) {
  readEnv(functionEnv[kind], deployedEnv(variables));
}
