import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../domain/ports.ts';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID

/**
 * ULIDs: 48-bit millisecond time + 80 random bits, 26 characters, sorting by creation time. Within one
 * millisecond the random part is incremented, so ids from one process are strictly increasing.
 */
export function ulidGenerator(now: () => number = Date.now): IdGenerator {
  let lastTime = -1;
  let lastRandom: Uint8Array = new Uint8Array(10);
  return {
    next() {
      const time = now();
      if (time <= lastTime) {
        lastRandom = increment(lastRandom);
      } else {
        lastTime = time;
        lastRandom = new Uint8Array(randomBytes(10));
      }
      return encodeTime(Math.max(time, lastTime)) + encodeRandom(lastRandom);
    },
  };
}

function encodeTime(time: number): string {
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = alphabet[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = alphabet[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 255) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}
