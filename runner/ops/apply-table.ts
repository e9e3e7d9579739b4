import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApplyTablePlan } from '../../api/plan.ts';
import { FeathermanError } from '../errors.ts';
import { asNumber, asNumberOrNull, asStringOrNull, queryOne } from '../lake/duckdb.ts';
import {
  commitSnapshot, createUuidV7Generator, diffTable, isEmptyDiff, openCatalog, readCatalogState, readTable, readTableStats,
  readTableFigures, tableStoragePath, visibleAt, writeAlterTable, writeCreateTable, writeDropTable, type CatalogTable,
} from '../lake/catalog/index.ts';
import type { OpOutcome, Operation } from './context.ts';

const ZERO = { filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0 };

function checkLocation(plan: ApplyTablePlan, table: CatalogTable): void {
  if (plan.table.location === undefined) return;
  const wanted = tableStoragePath(plan.table, table.schemaPath);
  if (wanted.path !== table.path || wanted.relative !== table.pathIsRelative) {
    throw new FeathermanError(
      'FM_ERR_INVALID_SPEC',
      `location: table ${table.schemaName}.${table.name} already lives at ${JSON.stringify(table.location)} and cannot move to ${JSON.stringify(plan.table.location)}.`,
    );
  }
}

/**
 * operation (apply-table) makes the catalog's table match its spec, in at most one
 * snapshot (side effect): create it, evolve it (refusing changes that would lose data,
 * with nothing written), drop it when `plan.drop`, or do nothing when it already matches.
 */
export const operation: Operation<ApplyTablePlan> = {
  lockMode: 'exclusive',
  async run(plan, ctx): Promise<OpOutcome> {
    const spec = plan.table;
    const label = `Table ${spec.schema}.${spec.name}`;
    const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
    try {
      const connection = catalog.connection;
      const state = await readCatalogState(connection);
      const latest = state.snapshot.snapshotId;
      const current = await readTable(connection, spec.schema, spec.name, latest);
      const info = { ...(plan.author !== undefined ? { author: plan.author } : {}), now: ctx.now() };
      if (plan.drop) {
        if (!current) return { ...ZERO, snapshotId: latest, summary: `${label}: absent, nothing to drop, snapshot ${latest}` };
        const result = await commitSnapshot(connection, { ...info, message: `drop table ${spec.schema}.${spec.name}` }, (tx) => writeDropTable(tx, current.tableId));
        return { ...ZERO, snapshotId: result.snapshotId, summary: `${label}: dropped, snapshot ${result.snapshotId}`, details: { changes: ['drop table'] } };
      }
      if (!current) {
        const schema = await queryOne(
          connection,
          `SELECT schema_id, path, path_is_relative FROM ducklake_schema WHERE lower(schema_name) = lower($name) AND ${visibleAt()}`,
          { name: spec.schema, snapshot: latest },
        );
        const schemaRelPath = asStringOrNull(schema?.path ?? null, 'schema path') ?? `${spec.schema}/`;
        const schemaPath = schema?.path_is_relative === false ? schemaRelPath : `${catalog.dataPath}${schemaRelPath}`;
        let created = { columnCount: 0, tableId: 0 };
        const result = await commitSnapshot(connection, { ...info, message: `create table ${spec.schema}.${spec.name}` }, async (tx) => {
          created = await writeCreateTable(
            tx,
            spec,
            { schemaId: asNumberOrNull(schema?.schema_id ?? null, 'schema_id'), schemaPath, dataPath: catalog.dataPath },
            { table: createUuidV7Generator(() => ctx.now().getTime()) },
          );
        });
        const table = await readTableFigures(connection, created.tableId, result.snapshotId, result.schemaVersion);
        ctx.log.info({ table: `${spec.schema}.${spec.name}`, tableId: created.tableId, snapshotId: result.snapshotId }, 'table created');
        return {
          ...ZERO, snapshotId: result.snapshotId, table,
          summary: `${label}: created, ${created.columnCount} columns, snapshot ${result.snapshotId}`,
          details: { tableId: created.tableId, changes: ['create table'] },
        };
      }
      checkLocation(plan, current);
      const diff = diffTable(current, spec, await readTableStats(connection, current.tableId));
      if (isEmptyDiff(diff)) {
        const table = await readTableFigures(connection, current.tableId, latest, state.snapshot.schemaVersion);
        return { ...ZERO, snapshotId: latest, table, summary: `${label}: unchanged, snapshot ${latest}`, details: { tableId: current.tableId, changes: [] } };
      }
      const result = await commitSnapshot(connection, { ...info, message: `alter table ${spec.schema}.${spec.name}` }, (tx) => writeAlterTable(tx, current.tableId, diff));
      const table = await readTableFigures(connection, current.tableId, result.snapshotId, result.schemaVersion);
      return {
        ...ZERO, snapshotId: result.snapshotId, table,
        summary: `${label}: ${diff.summary.join('; ')}, snapshot ${result.snapshotId}`,
        details: { tableId: current.tableId, changes: diff.summary },
      };
    } finally {
      await catalog.close();
    }
  },
};
