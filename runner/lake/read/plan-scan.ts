import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { readFiles, type PartitionValueFilter } from './files.ts';
import { readPartitionKeys } from './partition-keys.ts';
import type { SqlShape, TableReference } from './predicates.ts';
import { compilePredicates, decidePartitionFilters, pruneFiles, type CompiledPredicate } from './prune.ts';
import { readTables, type LakeTable, type PartitionKeyInfo } from './tables.ts';
import { parseStatValue } from './values.ts';
import type { TableScan } from './views.ts';

/** TableScanPlan is one referenced table with its surviving files and what pruning did. */
export interface TableScanPlan extends TableScan {
  filesTotal: number;
  filesPruned: number;
  predicates: number;
}

/** ScanPlan is every table a query reads at snapshot S, after pruning. */
export interface ScanPlan {
  snapshotId: number;
  tables: TableScanPlan[];
  filesTotal: number;
  filesRead: number;
  filesPruned: number;
  bytesRead: number;
}

/**
 * resolveReferences maps the query's table references onto the tables visible at S
 * (pure). A CTE name that is no table is skipped; catalog `memory` or none and schema `main` or none
 * are accepted; names compare case-insensitively, as DuckDB's do. An unknown table is
 * FM_ERR_QUERY_FAILED naming it.
 */
export function resolveReferences(shape: SqlShape, tables: readonly LakeTable[], snapshotId: number): Map<LakeTable, TableReference[]> {
  const found = new Map<LakeTable, TableReference[]>();
  for (const ref of shape.references) {
    if (ref.catalog !== '' && ref.catalog !== 'memory') {
      throw new FeathermanError('FM_ERR_QUERY_FAILED', `sql: catalog ${JSON.stringify(ref.catalog)} does not exist; name tables as schema.table.`);
    }
    const name = ref.table.toLowerCase();
    const schema = ref.schema === '' ? 'main' : ref.schema;
    const table = tables.find((t) => t.schemaName.toLowerCase() === schema && t.tableName.toLowerCase() === name);
    // A CTE may shadow a table or read the table of its own name: expose the table when it
    // exists (unpruned, see predicatesFor) and let DuckDB's binder decide which one is meant.
    if (ref.schema === '' && shape.cteNames.has(name) && !table) continue;
    if (!table) {
      throw new FeathermanError('FM_ERR_QUERY_FAILED', `sql: table ${schema}.${ref.table} does not exist at snapshot ${snapshotId}.`);
    }
    found.set(table, [...(found.get(table) ?? []), ref]);
  }
  return found;
}

/**
 * predicatesFor returns the predicates that may prune a table (pure): only when the table
 * is referenced once and no CTE shares its name, since the files must serve every use.
 */
export function predicatesFor(table: LakeTable, refs: readonly TableReference[], shape: SqlShape): CompiledPredicate[] {
  const only = refs.length === 1 ? refs[0] : undefined;
  if (!only || shape.cteNames.has(table.tableName.toLowerCase())) return [];
  return compilePredicates(table, only.predicates);
}

/**
 * identityCoveredColumns returns the predicate columns whose file stats cannot prune more
 * than the partition values do (pure), so their stats need not be read. That holds for a
 * column with an identity key in the one spec of the visible files and a filter on that
 * key (every listed file then has a value for it, the value of all its rows), when every
 * filtered value parses in each predicate's domain, since pruning falls back to the stats
 * for a value it cannot read.
 */
export function identityCoveredColumns(spec: readonly PartitionKeyInfo[], filters: readonly PartitionValueFilter[], predicates: readonly CompiledPredicate[]): Set<number> {
  const covered = new Set<number>();
  for (const key of spec) {
    if (key.transform.trim().toLowerCase() !== 'identity') continue;
    const filter = filters.find((f) => f.keyIndex === key.index);
    const used = predicates.filter((p) => p.column.id === key.columnId);
    if (!filter || used.length === 0) continue;
    const readable = used.every((p) => p.kind === 'null' || filter.values.every((value) => {
      const parsed = p.domain === undefined ? undefined : parseStatValue(p.domain, value, p.column.type);
      return parsed !== undefined && !(typeof parsed === 'number' && Number.isNaN(parsed));
    }));
    if (readable) covered.add(key.columnId);
  }
  return covered;
}

/**
 * planScan lists, for each table the query references, the data files visible at S and
 * keeps those that pruning cannot rule out (catalog reads only). Stats are read only for
 * the columns that predicates use and the partition values do not already decide.
 */
export async function planScan(catalog: DuckDBConnection, dataPath: string, snapshotId: number, shape: SqlShape): Promise<ScanPlan> {
  const tables = await readTables(catalog, snapshotId, dataPath);
  const referenced = resolveReferences(shape, tables, snapshotId);
  const plan: ScanPlan = { snapshotId, tables: [], filesTotal: 0, filesRead: 0, filesPruned: 0, bytesRead: 0 };
  for (const [table, refs] of referenced) {
    const predicates = predicatesFor(table, refs, shape);
    let statsColumnIds = [...new Set(predicates.map((p) => p.column.id))];
    const keyCount = Math.max(0, ...[...table.partitionSpecs.values()].map((spec) => spec.length));
    let partitionFilters;
    let filesTotal: number | undefined;
    const keyColumns = new Set([...table.partitionSpecs.values()].flatMap((spec) => spec.map((key) => key.columnId)));
    if (keyCount > 0 && predicates.some((p) => keyColumns.has(p.column.id))) {
      const keys = await readPartitionKeys(catalog, snapshotId, table.tableId);
      partitionFilters = decidePartitionFilters(table, keys, predicates);
      filesTotal = keys.specs.reduce((sum, spec) => sum + spec.files, 0);
      const spec = table.partitionSpecs.get(keys.specs[0]?.partitionId ?? -1);
      if (partitionFilters && spec) {
        const covered = identityCoveredColumns(spec, partitionFilters, predicates);
        statsColumnIds = statsColumnIds.filter((id) => !covered.has(id));
      }
    }
    const files = await readFiles(catalog, snapshotId, table, { statsColumnIds, ...(partitionFilters ? { partitionFilters } : {}) });
    const { kept } = pruneFiles(files, table, predicates);
    const total = filesTotal ?? files.length;
    const pruned = total - kept.length;
    plan.tables.push({ table, files: kept, filesTotal: total, filesPruned: pruned, predicates: predicates.length });
    plan.filesTotal += total;
    plan.filesPruned += pruned;
    plan.filesRead += kept.length;
    for (const file of kept) plan.bytesRead += file.sizeBytes + (file.deleteFile?.sizeBytes ?? 0);
  }
  return plan;
}
