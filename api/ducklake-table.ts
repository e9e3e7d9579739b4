import { z } from 'zod';
import { Condition, MaintenanceFailure, Phase } from './condition.ts';
import type { CrdDefinition } from './crd-definition.ts';
import { sqlIdentifier } from './identifiers.ts';
import { ObjectStoreSpec } from './object-store-spec.ts';
import { ColumnSpec, FormatSpec, IngestSpec, TableLocation } from './table-spec.ts';

const immutable = (field: string) => ({ 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: `${field} is immutable` }] });

/**
 * DuckLakeTableSpec declares one table of a catalog. It is the engine's LakeTableSpec plus
 * the Kubernetes-only fields: catalogRef, deletionPolicy, and an objectStore override
 * (kept for manifests written for earlier operators of this API group).
 */
export const DuckLakeTableSpec = z.object({
  catalogRef: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must name a DuckLakeCatalog in the same namespace')
    .meta(immutable('catalogRef'))
    .describe('Name of the DuckLakeCatalog (same namespace). Immutable.'),
  name: sqlIdentifier.meta(immutable('name')).describe('SQL name of the table. Immutable.'),
  schema: sqlIdentifier.default('main').meta(immutable('schema')).describe('SQL schema of the table. Immutable.'),
  columns: z
    .array(ColumnSpec)
    .min(1)
    .max(256)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .describe('The columns, in order. Changing them evolves the table (add, drop, rename via renamedFrom, widen).'),
  format: FormatSpec.optional().describe('How data files are written.'),
  location: TableLocation.optional().describe('Where the table\'s files live: a path under the catalog data path, or an absolute s3:// URL.'),
  ttlDays: z.number().int().min(1).max(36500).optional().describe('Rows older than this many days are expired.'),
  ttlColumn: sqlIdentifier.optional().describe('The TIMESTAMP or DATE column that ages a row.'),
  mode: z.enum(['append', 'overwrite']).default('append').describe('append adds rows; overwrite replaces the contents on each ingest.'),
  ingest: IngestSpec.optional().describe('Landing files to ingest.'),
  comment: z.string().max(4096).optional().describe('Free-text comment stored as a table tag.'),
  deletionPolicy: z.enum(['Retain', 'Delete']).default('Retain').describe('What deleting the resource does to the data: Retain keeps the files, Delete removes them.'),
  objectStore: ObjectStoreSpec.optional().describe('Overrides the catalog\'s object store for this table (its own bucket and secret).'),
});
export type DuckLakeTableSpec = z.infer<typeof DuckLakeTableSpec>;

/** DuckLakeTableStatus is what Featherman observed of the table. */
export const DuckLakeTableStatus = z.object({
  phase: Phase.optional().describe('Pending, Running, Succeeded or Failed.'),
  observedGeneration: z.number().int().optional().describe('The generation the status reflects.'),
  conditions: z.array(Condition).max(16).optional().describe('Ready, Reconciling and Degraded.'),
  lastAppliedSnapshot: z.number().int().optional().describe('The snapshot of the last successful change.'),
  bytesWritten: z.number().int().optional().describe('Bytes of the table\'s visible data files.'),
  rowCount: z.number().int().optional().describe('Rows in the table.'),
  fileCount: z.number().int().optional().describe('Visible data files.'),
  schemaVersion: z.number().int().optional().describe('The catalog schema version of the table.'),
  lastModified: z.string().optional().describe('Time of the last committed change.'),
  missingObjects: z
    .object({
      lastReported: z.string().describe('When the last removal was reported: only a consistency check started after it can clear the alarm.'),
      urls: z.array(z.string().max(2048)).max(20).describe('The s3:// URLs reported removed, newest last (at most 20).'),
    })
    .optional()
    .describe('Objects of the table reported removed from the bucket while Degraded=ObjectMissing; cleared with the alarm.'),
  maintenanceFailure: MaintenanceFailure.optional().describe('The last failed maintenance run (Degraded=MaintenanceFailed), kept until a later run of the same operation succeeds.'),
});
export type DuckLakeTableStatus = z.infer<typeof DuckLakeTableStatus>;

const TIME_TYPE = "'^([Dd][Aa][Tt][Ee]|[Tt][Ii][Mm][Ee][Ss][Tt][Aa][Mm][Pp].*)$'";

/** DuckLakeTableCrd describes the DuckLakeTable resource for the CRD generator. */
export const DuckLakeTableCrd: CrdDefinition = {
  kind: 'DuckLakeTable',
  plural: 'ducklaketables',
  singular: 'ducklaketable',
  shortNames: ['dlt'],
  description: 'A DuckLake table: its columns, Parquet format, partitioning, location, TTL and landing files.',
  spec: DuckLakeTableSpec,
  status: DuckLakeTableStatus,
  printerColumns: [
    { name: 'Catalog', type: 'string', jsonPath: '.spec.catalogRef' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Snapshot', type: 'integer', jsonPath: '.status.lastAppliedSnapshot' },
    { name: 'Rows', type: 'integer', jsonPath: '.status.rowCount' },
    { name: 'Size', type: 'integer', jsonPath: '.status.bytesWritten' },
    { name: 'Files', type: 'integer', jsonPath: '.status.fileCount', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specValidations: [
    {
      rule: "!has(self.format) || !has(self.format.partitioning) || self.format.partitioning.all(p, self.columns.exists(c, p == c.name || p.endsWith('(' + c.name + ')') || p.endsWith(',' + c.name + ')') || p.endsWith(', ' + c.name + ')')))",
      message: 'every partition key must name a declared column',
      fieldPath: '.format.partitioning',
    },
    { rule: 'has(self.ttlDays) == has(self.ttlColumn)', message: 'ttlDays and ttlColumn must be set together', fieldPath: '.ttlColumn' },
    {
      rule: `!has(self.ttlColumn) || self.columns.exists(c, c.name == self.ttlColumn && c.type.matches(${TIME_TYPE}))`,
      message: 'ttlColumn must name a declared DATE or TIMESTAMP column',
      fieldPath: '.ttlColumn',
    },
  ],
};
