import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir, prepareDataDir } from '#infra/local/data-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'gongdan-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('The local data dir’s permissions', () => {
  it('creates a new data dir 0700 with its marker and lock 0600, whatever the umask allows', () => {
    const dir = prepareDataDir(join(root, 'fresh', '.gongdan'));
    const unlock = lockDataDir(dir);
    expect(mode(dir)).toBe('700');
    expect(mode(join(dir, 'gongdan-data.json'))).toBe('600');
    expect(mode(join(dir, 'runtime.lock'))).toBe('600');
    unlock();
  });

  it('tightens a data dir written before the rule: dirs 0700, files 0600', () => {
    const dir = join(root, 'old');
    mkdirSync(join(dir, 'attachments', 't1'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'gongdan-data.json'), '{}\n', { mode: 0o644 });
    writeFileSync(join(dir, 'attachments', 't1', 'scan.pdf'), 'x', { mode: 0o664 });
    prepareDataDir(dir);
    expect([dir, join(dir, 'attachments'), join(dir, 'attachments', 't1')].map(mode)).toEqual([
      '700',
      '700',
      '700',
    ]);
    expect(mode(join(dir, 'gongdan-data.json'))).toBe('600');
    expect(mode(join(dir, 'attachments', 't1', 'scan.pdf'))).toBe('600');
  });
});
