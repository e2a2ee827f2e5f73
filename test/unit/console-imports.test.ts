import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The console reads the API's shapes from shared/ as types only: a value import would bundle server
 * code (the AWS SDK, zod schemas, luxon…) into the browser.
 */
const root = join(import.meta.dirname, '../../console/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every import statement (multi-line included) naming a module under shared/. */
const sharedImports = (text: string) =>
  [...text.matchAll(/^import\s[^;]*?from\s+'([^']*\/shared\/[^']*)'/gms)].map((m) => m[0]);

describe('The console’s imports of shared/', () => {
  it('are type-only', () => {
    const offenders = sources(root).flatMap((file) =>
      sharedImports(readFileSync(file, 'utf8'))
        .filter((statement) => !/^import\s+type\s/.test(statement))
        .map((statement) => `${relative(root, file)}: ${statement.split('\n')[0]}`),
    );
    expect(offenders).toEqual([]);
  });

  it('exist, so the console is checked against the API’s own types', () => {
    expect(sharedImports(readFileSync(join(root, 'api.ts'), 'utf8')).length).toBeGreaterThan(3);
  });

  it('would be caught as a value import', () => {
    expect(
      sharedImports("import { Ticket } from '../../shared/domain/ticket/ticket.entity.ts';"),
    ).toHaveLength(1);
  });
});
