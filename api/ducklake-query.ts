import { z } from 'zod';
import { Condition, Phase } from './condition.ts';
import type { CrdDefinition } from './crd-definition.ts';
import { isSafeS3Url } from './identifiers.ts';

/** DuckLakeQuerySpec is a one-shot read-only SQL job over a catalog, like a batch Job. */
export const DuckLakeQuerySpec = z.object({
  catalogRef: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must name a DuckLakeCatalog in the same namespace')
    .describe('Name of the DuckLakeCatalog (same namespace).'),
  sql: z.string().min(1).max(65536).describe('One read-only SELECT over the catalog\'s tables.'),
  snapshot: z
    .object({
      id: z.number().int().min(0).optional().describe('Snapshot id to read.'),
      timestamp: z.string().max(64).optional().describe('Read the last snapshot committed at or before this time (RFC 3339).'),
    })
    .meta({ 'x-kubernetes-validations': [{ rule: 'has(self.id) != has(self.timestamp)', message: 'set exactly one of snapshot.id and snapshot.timestamp' }] })
    .optional()
    .describe('Time travel: read an older snapshot instead of the latest.'),
  output: z
    .object({
      location: z.string().max(2048).refine(isSafeS3Url, 'must be an s3://bucket/key URL').describe('Where the full result is written (s3://bucket/key).'),
      format: z.enum(['parquet', 'csv', 'json']).default('parquet').describe('Format of the result file.'),
    })
    .optional()
    .describe('Where the full result goes; without it only the preview is kept.'),
  previewRows: z.number().int().min(0).max(1000).default(20).describe('Rows shown in status.preview (at most 2 KiB).'),
});
export type DuckLakeQuerySpec = z.infer<typeof DuckLakeQuerySpec>;

/** DuckLakeQueryStatus is the outcome of the query. */
export const DuckLakeQueryStatus = z.object({
  phase: Phase.optional().describe('Pending, Running, Succeeded or Failed.'),
  observedGeneration: z.number().int().optional().describe('The generation the status reflects.'),
  conditions: z.array(Condition).max(16).optional().describe('Ready, Reconciling and Degraded.'),
  rows: z.number().int().optional().describe('Rows in the result.'),
  bytes: z.number().int().optional().describe('Bytes of the result file.'),
  outputLocation: z.string().optional().describe('Where the result was written.'),
  preview: z.string().max(2048).optional().describe('The first rows of the result.'),
  snapshotId: z.number().int().optional().describe('The snapshot the query read.'),
  startTime: z.string().optional().describe('When the query started.'),
  completionTime: z.string().optional().describe('When the query finished.'),
});
export type DuckLakeQueryStatus = z.infer<typeof DuckLakeQueryStatus>;

/** DuckLakeQueryCrd describes the DuckLakeQuery resource for the CRD generator. */
export const DuckLakeQueryCrd: CrdDefinition = {
  kind: 'DuckLakeQuery',
  plural: 'ducklakequeries',
  singular: 'ducklakequery',
  shortNames: ['dlq'],
  description: 'A one-shot read-only SQL query over a DuckLake catalog, optionally at an older snapshot.',
  spec: DuckLakeQuerySpec,
  status: DuckLakeQueryStatus,
  printerColumns: [
    { name: 'Catalog', type: 'string', jsonPath: '.spec.catalogRef' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Snapshot', type: 'integer', jsonPath: '.status.snapshotId' },
    { name: 'Rows', type: 'integer', jsonPath: '.status.rows' },
    { name: 'Size', type: 'integer', jsonPath: '.status.bytes' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specValidations: [{ rule: 'self == oldSelf', message: 'a DuckLakeQuery spec is immutable; create a new query instead' }],
};
