/**
 * TTL decisions (pure): which column types can age a row, the cutoff, how a stats bound
 * compares with it, and what to do with each file: drop it whole (its newest row is past
 * the cutoff and it has no NULL ages), read it for a delete file (it straddles the cutoff
 * or its bounds are unknown), or leave it alone (its oldest row is within the TTL).
 */
import { FeathermanError } from '../../errors.ts';
import type { MaintainedFile } from './table-files.ts';

/** TtlKind is how an age column is compared: as a UTC instant (with zone) or a naive UTC timestamp / date. */
export type TtlKind = 'timestamptz' | 'timestamp';

const TTL_TYPES: Record<string, TtlKind> = {
  timestamp: 'timestamp', timestamp_s: 'timestamp', timestamp_ms: 'timestamp', timestamp_ns: 'timestamp', timestamp_us: 'timestamp',
  date: 'timestamp', timestamptz: 'timestamptz',
};

/** ttlKindOf maps a DuckLake column type to its TTL kind; anything else is FM_ERR_INVALID_SPEC (pure). */
export function ttlKindOf(column: string, type: string): TtlKind {
  const kind = TTL_TYPES[type.toLowerCase()];
  if (!kind) throw new FeathermanError('FM_ERR_INVALID_SPEC', `table.ttlColumn: must name a TIMESTAMP, TIMESTAMPTZ or DATE column; got ${JSON.stringify(column)} of type ${type}`);
  return kind;
}

/** ttlCutoff is now − ttlDays (pure). */
export function ttlCutoff(now: Date, ttlDays: number): Date {
  return new Date(now.getTime() - ttlDays * 86_400_000);
}

/** cutoffLiteral renders the cutoff for a bound parameter: naive UTC text for TIMESTAMP/DATE, ISO with Z for TIMESTAMPTZ (pure). */
export function cutoffLiteral(cutoff: Date, kind: TtlKind): string {
  const iso = cutoff.toISOString();
  return kind === 'timestamptz' ? iso : iso.replace('T', ' ').replace('Z', '');
}

const BOUND = /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * boundMs reads a stats bound as epoch milliseconds (pure), rounding the sub-millisecond
 * part toward `round` so that decisions stay on the safe side; undefined when unreadable.
 */
export function boundMs(text: string | null, round: 'floor' | 'ceil'): number | undefined {
  if (text === null) return undefined;
  const m = BOUND.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[7] ?? '';
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const extra = round === 'ceil' && /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  let value = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms) + extra;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    value -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  return value;
}

/** TtlAction is what expire-rows does with one file. */
export type TtlAction = 'drop' | 'scan' | 'keep';

/** decideTtl classifies a file against the cutoff from its stats alone, without reading it (pure). */
export function decideTtl(file: Pick<MaintainedFile, 'stats' | 'recordCount'>, cutoff: Date): TtlAction {
  const stats = file.stats;
  if (!stats) return 'scan';
  const min = boundMs(stats.min, 'floor');
  const max = boundMs(stats.max, 'ceil');
  if (stats.nullCount !== null && stats.nullCount === file.recordCount) return 'keep';
  if (min !== undefined && min >= cutoff.getTime()) return 'keep';
  if (max !== undefined && max < cutoff.getTime() && stats.nullCount === 0) return 'drop';
  return 'scan';
}
