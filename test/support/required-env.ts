import { readFileSync } from 'node:fs';

/**
 * The environment variable names these runtime modules (paths under shared/runtime/) pass to
 * `requiredEnv()`, read from their source, so an infra test checking that a function gets them cannot
 * drift from the code that reads them.
 */
export function requiredEnvNames(...modules: string[]): string[] {
  return modules.flatMap((module) =>
    [
      ...readFileSync(new URL(`../../shared/runtime/${module}`, import.meta.url), 'utf8').matchAll(
        /requiredEnv\('([A-Z_]+)'\)/g,
      ),
    ].map((m) => m[1]!),
  );
}
