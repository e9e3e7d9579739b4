import { randomBytes, randomUUID } from 'node:crypto';

/** UuidGenerator returns a fresh UUID in canonical lower-case text form. */
export type UuidGenerator = () => string;

/**
 * uuidV7 builds an RFC 9562 version-7 UUID (pure given its inputs): 48 bits of Unix time
 * in milliseconds, version 7, 12 random bits, variant 0b10, 62 random bits. DuckLake's
 * extension uses v7 for tables and file names, so ids sort by creation time.
 */
export function uuidV7(nowMs: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > 0xffff_ffff_ffff) throw new Error(`uuidV7: time must be a 48-bit millisecond count; got ${nowMs}`);
  if (random.length < 10) throw new Error(`uuidV7: needs 10 random bytes; got ${random.length}`);
  const bytes = new Uint8Array(16);
  let time = nowMs;
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * createUuidV7Generator returns a generator of v7 UUIDs that never goes backwards: within
 * one millisecond (or if the clock steps back) it keeps the last time and increments it,
 * so successive ids stay strictly increasing as text.
 */
export function createUuidV7Generator(now: () => number = Date.now): UuidGenerator {
  let last = -1;
  return () => {
    const current = now();
    last = current > last ? current : last + 1;
    return uuidV7(last);
  };
}

/** uuidV4 returns a random version-4 UUID (used for schema UUIDs, as the extension does). */
export const uuidV4: UuidGenerator = () => randomUUID();

/** UUID_V7 matches a canonical version-7 UUID. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** UUID_V4 matches a canonical version-4 UUID. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
