/**
 * PartitionKey is one parsed entry of `format.partitioning`: a column (identity) or a
 * transform of a column, as DuckLake 1.0 defines them (year, month, day, hour, bucket).
 */
export type PartitionKey =
  | { transform: 'identity'; column: string }
  | { transform: 'year' | 'month' | 'day' | 'hour'; column: string }
  | { transform: 'bucket'; column: string; buckets: number };

const IDENT = '[A-Za-z_][A-Za-z0-9_]{0,62}';
const IDENTITY = new RegExp(`^(${IDENT})$`);
const TIME_TRANSFORM = new RegExp(`^(year|month|day|hour)\\s*\\(\\s*(${IDENT})\\s*\\)$`, 'i');
const BUCKET = new RegExp(`^bucket\\s*\\(\\s*([0-9]{1,6})\\s*,\\s*(${IDENT})\\s*\\)$`, 'i');

/**
 * parsePartitionKey parses `region`, `day(ts)` or `bucket(16, id)` (pure). It returns an
 * error sentence instead of throwing, so validation can collect every issue at once.
 */
export function parsePartitionKey(text: string): PartitionKey | { error: string } {
  const trimmed = text.trim();
  const identity = IDENTITY.exec(trimmed);
  if (identity?.[1]) return { transform: 'identity', column: identity[1] };
  const time = TIME_TRANSFORM.exec(trimmed);
  if (time?.[1] && time[2]) {
    return { transform: time[1].toLowerCase() as 'year' | 'month' | 'day' | 'hour', column: time[2] };
  }
  const bucket = BUCKET.exec(trimmed);
  if (bucket?.[1] && bucket[2]) {
    const buckets = Number(bucket[1]);
    if (buckets < 1 || buckets > 65536) return { error: 'bucket count must be between 1 and 65536' };
    return { transform: 'bucket', column: bucket[2], buckets };
  }
  return { error: 'must be a column name, year(col), month(col), day(col), hour(col) or bucket(N, col)' };
}

/** formatPartitionKey renders a key back to its canonical text, e.g. `bucket(16, id)` (pure). */
export function formatPartitionKey(key: PartitionKey): string {
  switch (key.transform) {
    case 'identity':
      return key.column;
    case 'bucket':
      return `bucket(${key.buckets}, ${key.column})`;
    default:
      return `${key.transform}(${key.column})`;
  }
}
