import { isColumnTypeError, parseColumnType } from '../../api/column-type.ts';
import { DuckLakeTableSpec, DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import { parsePartitionKey } from '../../api/partition-spec.ts';
import { issue, type ValidationResult } from '../../api/issues.ts';
import { API_VERSION, type DuckLakeTable } from './resources.ts';
import { validateResource } from './validate-resource.ts';

const TIME_TYPES = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_s', 'timestamp_ms', 'timestamp_ns']);

// undefined when the type itself is bad: that has its own issue, so no second one here.
function isTimeType(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const parsed = parseColumnType(text);
  if (isColumnTypeError(parsed)) return undefined;
  return parsed.kind === 'primitive' && TIME_TYPES.has(parsed.name);
}

/** TableShape is the part of a table spec checkTableSpec reads; a column may be unreadable (undefined). */
export interface TableShape {
  columns: ReadonlyArray<{ name: string; type?: string | undefined; renamedFrom?: string | undefined } | undefined>;
  format?: { partitioning?: readonly string[] | undefined } | undefined;
  ttlDays?: number | undefined;
  ttlColumn?: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * looseTableShape reads what it can of an unvalidated spec (pure), keeping column
 * positions, so the cross-field rules can be checked even when the schema fails.
 */
export function looseTableShape(input: unknown): TableShape {
  const spec = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).spec : undefined;
  const raw = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : {};
  const columns = (Array.isArray(raw.columns) ? raw.columns : []).map((column: unknown) => {
    const c = typeof column === 'object' && column !== null ? (column as Record<string, unknown>) : {};
    const name = text(c.name);
    return name === undefined ? undefined : { name, type: text(c.type), renamedFrom: text(c.renamedFrom) };
  });
  const format = typeof raw.format === 'object' && raw.format !== null ? (raw.format as Record<string, unknown>) : {};
  const partitioning = Array.isArray(format.partitioning) ? format.partitioning.filter((key): key is string => typeof key === 'string') : undefined;
  return {
    columns,
    format: { partitioning: partitioning?.length === (Array.isArray(format.partitioning) ? format.partitioning.length : 0) ? partitioning : undefined },
    ttlDays: typeof raw.ttlDays === 'number' ? raw.ttlDays : undefined,
    ttlColumn: raw.ttlColumn === undefined ? undefined : (text(raw.ttlColumn) ?? '?'),
  };
}

/**
 * checkTable holds the lookup-free rules the schema cannot say (pure): column names unique
 * (case-insensitively, as DuckDB compares them), renamedFrom naming no other column,
 * partition keys and ttlColumn naming declared columns, time transforms and ttlColumn on
 * DATE or TIMESTAMP columns, ttlDays and ttlColumn set together.
 */
export function checkTableSpec(spec: TableShape): string[] {
  const issues: string[] = [];
  const byName = new Map<string, { index: number; type: string | undefined }>();
  spec.columns.forEach((column, index) => {
    if (column === undefined) return;
    const key = column.name.toLowerCase();
    if (byName.has(key)) issues.push(issue(['spec', 'columns', index, 'name'], 'must be unique among the columns (letter case is ignored)', column.name));
    else byName.set(key, { index, type: column.type });
  });
  const renamedFrom = new Set<string>();
  spec.columns.forEach((column, index) => {
    if (column?.renamedFrom === undefined) return;
    const key = column.renamedFrom.toLowerCase();
    if (key === column.name.toLowerCase()) issues.push(issue(['spec', 'columns', index, 'renamedFrom'], 'must differ from the column\'s new name', column.renamedFrom));
    else if (byName.has(key)) issues.push(issue(['spec', 'columns', index, 'renamedFrom'], 'must not name a column that is still declared', column.renamedFrom));
    if (renamedFrom.has(key)) issues.push(issue(['spec', 'columns', index, 'renamedFrom'], 'must be unique: two columns cannot both be renamed from it', column.renamedFrom));
    renamedFrom.add(key);
  });
  (spec.format?.partitioning ?? []).forEach((text, index) => {
    const key = parsePartitionKey(text);
    if ('error' in key) return;
    const column = byName.get(key.column.toLowerCase());
    const path = ['spec', 'format', 'partitioning', index];
    if (column === undefined) issues.push(issue(path, 'must name a declared column', text));
    else if (key.transform !== 'identity' && key.transform !== 'bucket' && isTimeType(column.type) === false) {
      issues.push(issue(path, `must apply ${key.transform}() to a DATE or TIMESTAMP column, and ${key.column} is ${column.type ?? '?'}`, text));
    }
  });
  if ((spec.ttlDays === undefined) !== (spec.ttlColumn === undefined)) {
    const missing = spec.ttlDays === undefined ? 'ttlDays' : 'ttlColumn';
    issues.push(issue(['spec', missing], `must be set together with ${missing === 'ttlDays' ? 'ttlColumn' : 'ttlDays'}`, undefined));
  }
  if (spec.ttlColumn !== undefined) {
    const column = byName.get(spec.ttlColumn.toLowerCase());
    if (column === undefined) issues.push(issue(['spec', 'ttlColumn'], 'must name a declared column', spec.ttlColumn));
    else if (isTimeType(column.type) === false) issues.push(issue(['spec', 'ttlColumn'], `must name a DATE or TIMESTAMP column, and it is ${column.type ?? '?'}`, spec.ttlColumn));
  }
  return issues;
}

/** checkTable runs checkTableSpec on a parsed table (pure). */
export function checkTable(table: DuckLakeTable): string[] {
  return checkTableSpec(table.spec);
}

/**
 * validateTable parses a DuckLakeTable with the api/ zod schemas plus checkTable,
 * returning the typed resource or every issue at once (pure). Manifests written for
 * earlier operators of this API group (column nullable, table comment, a table-level
 * objectStore, credentialsSecret with custom key fields, types in any letter case) pass.
 */
export function validateTable(obj: unknown): ValidationResult<DuckLakeTable> {
  return validateResource(
    obj,
    'DuckLakeTable',
    DuckLakeTableSpec,
    DuckLakeTableStatus,
    ({ metadata, spec, status }): DuckLakeTable => ({ apiVersion: API_VERSION, kind: 'DuckLakeTable', metadata, spec, ...(status ? { status } : {}) }),
    checkTable,
    () => [],
    (input) => checkTableSpec(looseTableShape(input)),
  );
}
