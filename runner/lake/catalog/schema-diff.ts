/**
 * Schema evolution as a pure decision: compare a table as the catalog describes it with
 * the LakeTableSpec it should match, and return the catalog changes that get it there, or
 * refuse a change that would lose data (FM_ERR_DATA_LOSS_REFUSED) or that the spec cannot
 * mean (FM_ERR_INVALID_SPEC). No I/O; apply-table writes the result in one snapshot.
 */
import { parseColumnType, isColumnTypeError, toDuckDBSql, type ColumnType } from '../../../api/column-type.ts';
import { parsePartitionKey } from '../../../api/partition-spec.ts';
import type { LakeTableSpec } from '../../../api/table-spec.ts';
import { FeathermanError } from '../../errors.ts';
import { childrenOf, columnTypeFromCatalog, descendantIds, flattenColumn, type NewColumnRow } from './columns.ts';
import { isWidening } from './type-widening.ts';
import { transformText, type CatalogColumn, type CatalogTable, type PartitionField, type TableStats } from './tables.ts';

/** ColumnUpdate ends a column row and inserts a new one with the same column_id. */
export interface ColumnUpdate {
  before: CatalogColumn;
  name: string;
  type: string;
  nullable: boolean;
}

/** SchemaDiff is everything that must change; `summary` says it in words, in order. */
export interface SchemaDiff {
  added: Array<{ rows: NewColumnRow[]; comment: string | null }>;
  /** Column ids to end, each with its descendants. */
  dropped: Array<{ columnId: number; name: string; ids: number[] }>;
  updated: ColumnUpdate[];
  columnComments: Array<{ columnId: number; comment: string | null }>;
  tableComment?: { comment: string | null };
  /** The new partition spec; an empty list resets partitioning. */
  partitioning?: Array<Omit<PartitionField, 'index'>>;
  summary: string[];
}

/** isEmptyDiff reports whether a diff changes nothing (pure). */
export function isEmptyDiff(diff: SchemaDiff): boolean {
  return diff.summary.length === 0;
}

/** parseSpecType parses a spec column type, which zod has already validated (pure). */
export function parseSpecType(text: string, column: string): ColumnType {
  const parsed = parseColumnType(text);
  if (isColumnTypeError(parsed)) throw new FeathermanError('FM_ERR_INVALID_SPEC', `columns.${column}.type: ${parsed.error}; got ${JSON.stringify(text)}`);
  return parsed;
}

function refuseType(path: string, from: ColumnType, to: ColumnType): never {
  const narrowing = isWidening(to, from);
  const verdict = narrowing ? 'would lose data' : 'is not a widening DuckLake allows and could lose data';
  throw new FeathermanError('FM_ERR_DATA_LOSS_REFUSED', `column "${path}": changing ${toDuckDBSql(from)} to ${toDuckDBSql(to)} ${verdict}`);
}

interface Work {
  diff: SchemaDiff;
  all: readonly CatalogColumn[];
  nextId: () => number;
}

/** evolveType compares an existing column (and its children) with a target type, recording updates, adds and drops. */
function evolveType(work: Work, column: CatalogColumn, path: string, target: ColumnType): string | undefined {
  const current = columnTypeFromCatalog(column, work.all);
  if (current.kind === 'struct' && target.kind === 'struct') {
    const children = work.all.filter((row) => row.parentColumn === column.columnId);
    const kept = new Set<number>();
    for (const field of target.fields) {
      const existing = children.find((row) => row.name.toLowerCase() === field.name.toLowerCase());
      if (existing) {
        kept.add(existing.columnId);
        const type = evolveType(work, existing, `${path}.${existing.name}`, field.type);
        if (type !== undefined || existing.name !== field.name) {
          work.diff.updated.push({ before: existing, name: field.name, type: type ?? existing.type, nullable: existing.nullable });
          work.diff.summary.push(`change field ${path}.${field.name}`);
        }
      } else {
        work.diff.added.push({ rows: flattenColumn(field.name, field.type, true, column.columnId, work.nextId), comment: null });
        work.diff.summary.push(`add field ${path}.${field.name}`);
      }
    }
    for (const row of children.filter((child) => !kept.has(child.columnId))) {
      work.diff.dropped.push({ columnId: row.columnId, name: `${path}.${row.name}`, ids: [row.columnId, ...descendantIds(row.columnId, work.all)] });
      work.diff.summary.push(`drop field ${path}.${row.name}`);
    }
    return undefined;
  }
  if ((current.kind === 'list' && target.kind === 'list') || (current.kind === 'map' && target.kind === 'map')) {
    const targets = childrenOf(target);
    for (const child of work.all.filter((row) => row.parentColumn === column.columnId)) {
      const next = targets.find((candidate) => candidate.name === child.name.toLowerCase());
      if (!next) continue;
      const type = evolveType(work, child, `${path}.${child.name}`, next.type);
      if (type !== undefined) work.diff.updated.push({ before: child, name: child.name, type, nullable: child.nullable });
    }
    return undefined;
  }
  if (toDuckDBSql(current) === toDuckDBSql(target)) return undefined;
  if (current.kind === 'struct' || current.kind === 'list' || current.kind === 'map' || !isWidening(current, target)) refuseType(path, current, target);
  work.diff.summary.push(`widen ${path} ${toDuckDBSql(current)} → ${toDuckDBSql(target)}`);
  return target.kind === 'decimal' ? `decimal(${target.precision},${target.scale})` : target.kind === 'primitive' ? target.name : target.kind;
}

function mayHoldNull(stats: TableStats | undefined, columnId: number): boolean {
  if (stats === undefined || stats.recordCount === 0) return false;
  const column = stats.columns.find((entry) => entry.columnId === columnId);
  return column?.containsNull !== false;
}

/**
 * diffTable decides how to evolve `current` into `spec` (pure). New columns get ids after
 * the highest ever used (dropped ones included), depth-first; a spec column matches an
 * existing one by name (case-insensitive) or by `renamedFrom`; existing columns the spec
 * no longer lists are dropped. Throws FeathermanError when the change would lose data.
 */
export function diffTable(current: CatalogTable, spec: LakeTableSpec, stats?: TableStats): SchemaDiff {
  const diff: SchemaDiff = { added: [], dropped: [], updated: [], columnComments: [], summary: [] };
  let maxId = current.maxColumnId;
  const work: Work = { diff, all: current.columns, nextId: () => ++maxId };
  const topLevel = current.columns.filter((column) => column.parentColumn === null);
  const byName = (name: string) => topLevel.find((column) => column.name.toLowerCase() === name.toLowerCase());
  const matched = new Map<number, string>();
  const idsByName = new Map<string, { columnId: number; type: ColumnType }>();
  for (const column of spec.columns) {
    const target = parseSpecType(column.type, column.name);
    const existing = byName(column.name) ?? (column.renamedFrom === undefined ? undefined : byName(column.renamedFrom));
    if (existing && matched.has(existing.columnId)) {
      throw new FeathermanError('FM_ERR_INVALID_SPEC', `columns.${column.name}.renamedFrom: column "${existing.name}" is already matched by column "${matched.get(existing.columnId) ?? ''}"`);
    }
    if (!existing) {
      if (!column.nullable && stats !== undefined && stats.recordCount > 0) {
        throw new FeathermanError('FM_ERR_INVALID_SPEC', `columns.${column.name}.nullable: a NOT NULL column cannot be added to a table that already holds rows, which would read NULL`);
      }
      const rows = flattenColumn(column.name, target, column.nullable, null, work.nextId);
      diff.added.push({ rows, comment: column.comment ?? null });
      diff.summary.push(`add column ${column.name} ${toDuckDBSql(target)}`);
      idsByName.set(column.name.toLowerCase(), { columnId: rows[0]?.columnId ?? 0, type: target });
      continue;
    }
    matched.set(existing.columnId, column.name);
    idsByName.set(column.name.toLowerCase(), { columnId: existing.columnId, type: target });
    const type = evolveType(work, existing, column.name, target);
    const renamed = existing.name !== column.name;
    const nullableChanged = existing.nullable !== column.nullable;
    if (nullableChanged && !column.nullable && mayHoldNull(stats, existing.columnId)) {
      throw new FeathermanError('FM_ERR_DATA_LOSS_REFUSED', `column "${column.name}": making it NOT NULL would lose data, because its rows may hold NULL`);
    }
    if (renamed) diff.summary.push(`rename column ${existing.name} → ${column.name}`);
    if (nullableChanged) diff.summary.push(`${column.nullable ? 'allow' : 'forbid'} NULL in ${column.name}`);
    if (type !== undefined || renamed || nullableChanged) {
      diff.updated.push({ before: existing, name: column.name, type: type ?? existing.type, nullable: column.nullable });
    }
    if ((column.comment ?? null) !== existing.comment) {
      diff.columnComments.push({ columnId: existing.columnId, comment: column.comment ?? null });
      diff.summary.push(`set comment of ${column.name}`);
    }
  }
  for (const column of topLevel.filter((candidate) => !matched.has(candidate.columnId))) {
    diff.dropped.push({ columnId: column.columnId, name: column.name, ids: [column.columnId, ...descendantIds(column.columnId, current.columns)] });
    diff.summary.push(`drop column ${column.name}`);
  }
  if ((spec.comment ?? null) !== current.comment) {
    diff.tableComment = { comment: spec.comment ?? null };
    diff.summary.push('set table comment');
  }
  const partitioning = partitionFields(spec, idsByName);
  const before = (current.partition?.fields ?? []).map((field) => `${field.columnId}:${field.transform}`).join(',');
  const after = partitioning.map((field) => `${field.columnId}:${field.transform}`).join(',');
  if (before !== after) {
    diff.partitioning = partitioning;
    diff.summary.push(partitioning.length === 0 ? 'reset partitioning' : `partition by ${spec.format.partitioning.join(', ')}`);
  }
  return diff;
}

const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_s', 'timestamp_ms', 'timestamp_ns']);

/**
 * partitionFields resolves the spec's partition keys to column ids and transform texts,
 * checking that each transform fits its column's type (pure).
 */
export function partitionFields(spec: LakeTableSpec, columns: ReadonlyMap<string, { columnId: number; type: ColumnType }>): Array<Omit<PartitionField, 'index'>> {
  return spec.format.partitioning.map((text, index) => {
    const key = parsePartitionKey(text);
    const where = `format.partitioning[${index}]`;
    if ('error' in key) throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: ${key.error}; got ${JSON.stringify(text)}`);
    const column = columns.get(key.column.toLowerCase());
    if (!column) throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: must name a declared column; got ${JSON.stringify(key.column)}`);
    const type = column.type;
    if (type.kind === 'list' || type.kind === 'struct' || type.kind === 'map') {
      throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: cannot partition by the nested column "${key.column}" (${toDuckDBSql(type)})`);
    }
    const primitive = type.kind === 'primitive' ? type.name : 'decimal';
    if (key.transform !== 'identity' && key.transform !== 'bucket' && (!TEMPORAL.has(primitive) || (key.transform === 'hour' && primitive === 'date'))) {
      throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: ${key.transform}(${key.column}) needs a ${key.transform === 'hour' ? 'TIMESTAMP' : 'DATE or TIMESTAMP'} column; "${key.column}" is ${toDuckDBSql(type)}`);
    }
    return { columnId: column.columnId, transform: transformText(key) };
  });
}
