import { describe, expect, it } from 'vitest';
import { inTurn } from '#shared/use-cases/ticket-turns.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('inTurn()', () => {
  it('runs the writers of one key one after another, in arrival order', async () => {
    // Prepare
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const writer = (name: string) =>
      inTurn('ticket-1', async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        running--;
        return name;
      });

    // Act
    const results = await Promise.all(['a', 'b', 'c', 'd'].map(writer));

    // Assess
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  });

  it('lets writers of different keys run side by side', async () => {
    let running = 0;
    let most = 0;
    const writer = (key: string) =>
      inTurn(key, async () => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
      });
    await Promise.all(['t1', 't2', 't3'].map(writer));
    expect(most).toBe(3);
  });

  it('passes a failure to its own caller only, and the next writer still gets its turn', async () => {
    const first = inTurn('ticket-2', async () => {
      throw new Error('boom');
    });
    const second = inTurn('ticket-2', async () => 'ok');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('ok');
  });

  it('is delayed, never blocked, by a nested turn on the same key (no change does that: its write would lose)', async () => {
    const started = performance.now();
    const result = await inTurn('ticket-3', () => inTurn('ticket-3', async () => 'nested', 40));
    expect(result).toBe('nested');
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('keeps a long queue in order while it moves, however long the whole queue takes', async () => {
    let running = 0;
    let most = 0;
    const writer = () =>
      inTurn(
        'ticket-5',
        async () => {
          running++;
          most = Math.max(most, running);
          await tick(20);
          running--;
        },
        30,
      );
    await Promise.all(Array.from({ length: 6 }, writer));
    expect(most).toBe(1);
  });

  it('goes ahead after the longest wait when the writer ahead is stuck', async () => {
    let release!: () => void;
    const stuck = inTurn('ticket-4', () => new Promise<void>((r) => (release = r)));
    const started = Date.now();
    const waited = await inTurn('ticket-4', async () => Date.now() - started, 50);
    expect(waited).toBeGreaterThanOrEqual(45);
    release();
    await stuck;
  });
});
