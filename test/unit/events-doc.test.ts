import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEventsDoc } from '../../infra/tools/events-doc.ts';

describe('docs/events.md', () => {
  it('matches the catalogue (run `npm run docs:events` after changing an event)', () => {
    const committed = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderEventsDoc());
  });
});
