import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** What a reader of the project gets: README.md and every page of docs/. */
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown links and images `[text](target)`, with their line. */
function linksOf(page: string) {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, (block) =>
    block.replace(/[^\n]/g, ' '),
  );
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
    target: m[1]!,
    line: text.slice(0, m.index).split('\n').length,
  }));
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

describe('README.md and docs/', () => {
  it('link only to files that ship with the project', () => {
    // Act
    const broken = pages.flatMap((page) =>
      linksOf(page)
        .filter(({ target }) => !isExternal(target) && !target.startsWith('#'))
        .flatMap(({ target, line }) => {
          const path = decodeURIComponent(target.split('#')[0]!);
          const absolute = path.startsWith('/') ? join(root, path) : resolve(root, dirname(page), path);
          const inRepo = !relative(root, absolute).startsWith('..');
          if (!inRepo) return [`${page}:${line} ${target} is outside the repository`];
          if (!existsSync(absolute)) return [`${page}:${line} ${target} does not exist`];
          return [];
        }),
    );

    // Assess
    expect(broken).toEqual([]);
  });

  it('send readers to no document outside the repository (the shared design notes, data, toolchain)', () => {
    // Act
    const mentions = pages.flatMap((page) =>
      readFileSync(join(root, page), 'utf8')
        .split('\n')
        .flatMap((text, i) =>
          /\.\.\/shared\b|\bDESIGN(\.md)?\b|TOOLCHAIN\.md|STYLE\.md/.test(text)
            ? [`${page}:${i + 1} ${text.trim()}`]
            : [],
        ),
    );

    // Assess
    expect(mentions).toEqual([]);
  });

  it('would notice a link that leaves the repository or names a missing file', () => {
    // Prepare: this check's own parser on sample text
    const sample = '[a](../shared/DESIGN.md) [b](docs/nope.md#x) [c](https://aws.amazon.com) [d](#top)';

    // Act
    const targets = [...sample.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?\s*\)/g)].map((m) => m[1]);

    // Assess
    expect(targets).toEqual(['../shared/DESIGN.md', 'docs/nope.md#x', 'https://aws.amazon.com', '#top']);
    expect(relative(root, resolve(root, '../shared/DESIGN.md')).startsWith('..')).toBe(true);
    expect(existsSync(join(root, 'docs/nope.md'))).toBe(false);
  });
});
