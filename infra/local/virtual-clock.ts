import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '#shared/domain/ports.ts';

/**
 * The local runtime's clock: virtual now = virtualBase + (wallNow − wallBase) × timeScale. With a time
 * scale of 600, ten minutes of SLA time pass per real second. In AWS the same mapping is the identity.
 */
export interface VirtualClock extends Clock {
  readonly timeScale: number;
  /** The wall-clock instant at which the virtual clock shows `virtual` (e.g. for a Step Functions Wait). */
  toWall(virtual: Date): Date;
  /** What the virtual clock showed (or will show) at wall-clock instant `wall`. */
  toVirtual(wall: Date): Date;
  /** Real milliseconds until the virtual clock reaches `virtual`; 0 when it already has. */
  wallDelayUntil(virtual: Date): number;
}

export interface VirtualClockOptions {
  timeScale: number;
  /** Where the virtual clock starts; default the wall clock's now. */
  virtualBase?: Date;
  /** The wall clock (injectable for tests). */
  wallNow?: () => number;
}

/** A virtual clock that never runs backwards, even if the wall clock is stepped back. */
export function virtualClock(options: VirtualClockOptions): VirtualClock {
  const { timeScale } = options;
  if (!(Number.isFinite(timeScale) && timeScale > 0))
    throw new Error(`time scale must be > 0, got ${timeScale}`);
  const wallNow = options.wallNow ?? Date.now;
  const wallBase = wallNow();
  const virtualBase = options.virtualBase?.getTime() ?? wallBase;
  let last = Number.NEGATIVE_INFINITY;

  const toVirtualMs = (wall: number) => virtualBase + (wall - wallBase) * timeScale;
  const toWallMs = (virtual: number) => wallBase + (virtual - virtualBase) / timeScale;

  return {
    timeScale,
    now() {
      last = Math.max(last, Math.floor(toVirtualMs(wallNow())));
      return new Date(last);
    },
    toWall: (virtual) => new Date(Math.ceil(toWallMs(virtual.getTime()))),
    toVirtual: (wall) => new Date(Math.floor(toVirtualMs(wall.getTime()))),
    wallDelayUntil: (virtual) => Math.max(0, Math.ceil(toWallMs(virtual.getTime()) - wallNow())),
  };
}

interface SavedClock {
  /** No virtual time handed out before the next save is later than this. */
  notAfter: string;
}

const fileName = 'clock.json';
const saveEveryMs = 1000;

/**
 * A virtual clock kept in `dataDir` so that it stays monotonic across restarts: it resumes at the later
 * of the wall clock and the last virtual time the previous run could have handed out. A runtime killed
 * hard loses at most the look-ahead saved with each checkpoint (the clock jumps forward, never back).
 */
export function persistentVirtualClock(
  dataDir: string,
  timeScale: number,
): { clock: VirtualClock; stop(): void } {
  const path = join(dataDir, fileName);
  const saved = readSaved(path);
  const wall = Date.now();
  const base = saved && saved > wall ? saved : wall;
  const clock = virtualClock({ timeScale, virtualBase: new Date(base) });

  const save = (lookAheadMs: number) => {
    const body: SavedClock = { notAfter: new Date(clock.now().getTime() + lookAheadMs).toISOString() };
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  };
  // Checkpoints look two save intervals ahead, so a hard kill between saves cannot move time backwards.
  const lookAhead = 2 * saveEveryMs * timeScale;
  save(lookAhead);
  const timer = setInterval(() => {
    try {
      save(lookAhead);
    } catch {
      // The data dir went away (e.g. wiped under us); the next stop() reports nothing either.
    }
  }, saveEveryMs);
  timer.unref();

  return {
    clock,
    stop() {
      clearInterval(timer);
      try {
        save(0);
      } catch {
        // As above: nothing to keep time in.
      }
    },
  };
}

function readSaved(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<SavedClock>;
    const ms = typeof parsed.notAfter === 'string' ? Date.parse(parsed.notAfter) : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}
