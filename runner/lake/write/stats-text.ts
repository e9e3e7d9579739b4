/**
 * DuckDB `RETURN_STATS` column statistics → DuckLake `ducklake_file_column_stats` values
 * (format §8). DuckDB already renders bounds the way the format wants them (booleans 0/1,
 * floats `10.5`, dates, timestamps with a fraction only when non-zero, timestamptz `+00`,
 * blobs as upper-case hex) — the same text the reference extension stores, since it takes
 * them from the same writer. What is left here: choose the leaf columns, drop bounds the
 * format has none for, turn Parquet's num_values into the non-NULL count, and keep
 * contains_nan for floats only.
 */

/** LeafColumn is one leaf of the table's column tree: its id, its path of names and its DuckLake type. */
export interface LeafColumn {
  columnId: number;
  path: readonly string[];
  type: string;
}

/** FileColumnStats is one ducklake_file_column_stats row (without data_file_id/table_id). */
export interface FileColumnStats {
  columnId: number;
  columnSizeBytes: number | null;
  valueCount: number | null;
  nullCount: number | null;
  minValue: string | null;
  maxValue: string | null;
  containsNan: boolean | null;
}

/** RawColumnStats is one column's entry of RETURN_STATS: stat name → text. */
export type RawColumnStats = ReadonlyMap<string, string | null>;

/** NO_BOUNDS_TYPES have no min/max in the format (§8); their counts are still written. */
export const NO_BOUNDS_TYPES: ReadonlySet<string> = new Set([
  'int128', 'uint128', 'hugeint', 'uhugeint', 'timetz', 'interval', 'variant', 'geometry', 'unknown',
]);

/** FLOAT_TYPES are the types that carry contains_nan. */
export const FLOAT_TYPES: ReadonlySet<string> = new Set(['float32', 'float64', 'float', 'double']);

/** statsPathKey renders a leaf path the way RETURN_STATS keys it: `"s"."x"` (pure). */
export function statsPathKey(path: readonly string[]): string {
  return path.map((name) => `"${name.replaceAll('"', '""')}"`).join('.');
}

function toCount(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^[0-9]+$/.test(text)) return null;
  return Number(text);
}

/**
 * boundText returns the format text of one bound, or null when the format keeps none
 * for the type or the value cannot be a bound (pure). Strings holding a NUL byte get
 * NULL, as in the reference extension.
 */
export function boundText(type: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const base = type.toLowerCase();
  if (NO_BOUNDS_TYPES.has(base)) return null;
  if (value.includes('\u0000')) return null;
  if (FLOAT_TYPES.has(base) && /nan/i.test(value)) return null;
  return value;
}

/**
 * buildFileColumnStats turns one file's RETURN_STATS map into one row per leaf column
 * (pure). `rowCount` is the file's record count: it stands in for num_values when DuckDB
 * reports 0 values for a top-level column it keeps no statistics for (INTERVAL).
 */
export function buildFileColumnStats(leaves: readonly LeafColumn[], raw: ReadonlyMap<string, RawColumnStats>, rowCount: number): FileColumnStats[] {
  return leaves.map((leaf) => {
    const stats = raw.get(statsPathKey(leaf.path));
    const type = leaf.type.toLowerCase();
    const isFloat = FLOAT_TYPES.has(type);
    if (!stats) {
      return { columnId: leaf.columnId, columnSizeBytes: null, valueCount: null, nullCount: null, minValue: null, maxValue: null, containsNan: null };
    }
    const nullCount = toCount(stats.get('null_count'));
    let numValues = toCount(stats.get('num_values'));
    if (numValues === 0 && leaf.path.length === 1 && rowCount > 0) numValues = rowCount;
    const valueCount = numValues === null ? null : Math.max(0, numValues - (nullCount ?? 0));
    return {
      columnId: leaf.columnId,
      columnSizeBytes: toCount(stats.get('column_size_bytes')),
      valueCount,
      nullCount,
      minValue: boundText(type, stats.get('min')),
      maxValue: boundText(type, stats.get('max')),
      // The extension sets contains_nan only from a reported has_nan; absent stays unknown.
      containsNan: isFloat && stats.has('has_nan') ? stats.get('has_nan') === 'true' : null,
    };
  });
}

/**
 * toRawStats normalizes the `column_statistics` value DuckDB's node API returns (a MAP as
 * an array of {key, value} entries, or a plain object) into nested Maps (pure).
 */
export function toRawStats(value: unknown): Map<string, Map<string, string | null>> {
  const out = new Map<string, Map<string, string | null>>();
  for (const [column, stats] of mapEntries(value)) {
    const inner = new Map<string, string | null>();
    for (const [name, text] of mapEntries(stats)) inner.set(name, text === null || text === undefined ? null : String(text));
    out.set(column, inner);
  }
  return out;
}

/** mapEntries reads a DuckDB MAP value from the node API as [key, value] pairs (pure). */
export function mapEntries(value: unknown): [string, unknown][] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    return value.map((entry) => {
      const { key, value: inner } = entry as { key: unknown; value: unknown };
      return [String(key), inner];
    });
  }
  if (value instanceof Map) return [...value.entries()].map(([key, inner]) => [String(key), inner]);
  if (typeof value === 'object') {
    const entries = (value as { entries?: unknown }).entries;
    if (Array.isArray(entries)) return mapEntries(entries);
    return Object.entries(value as Record<string, unknown>);
  }
  return [];
}
