import { z } from 'zod';
import { Condition, MaintenanceFailure, Phase } from './condition.ts';
import { ObjectStoreSpec } from './object-store-spec.ts';
import type { CrdDefinition } from './crd-definition.ts';

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CRON_FIELDS = /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/;
const BACKUP_NAME = /^(latest|[0-9A-Za-z._-]{1,255})$/;

/** DuckLakeCatalogSpec declares one DuckLake catalog: its volume, its bucket, backups. */
export const DuckLakeCatalogSpec = z.object({
  storageClass: z.string().max(253).optional().describe('StorageClass of the catalog volume; omit for the cluster default.'),
  size: z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 1Gi').default('1Gi').describe('Size of the catalog volume.'),
  objectStore: ObjectStoreSpec.describe('Where the catalog keeps its Parquet data.'),
  encryption: z
    .object({ kmsKeyId: z.string().min(1).max(2048).describe('KMS key id or ARN: every object is written with SSE-KMS under it.') })
    .optional()
    .describe('Server-side encryption of every object written.'),
  backupPolicy: z
    .object({
      schedule: z.string().max(128).regex(CRON_FIELDS, 'must be a cron expression of five fields or a macro such as @daily').describe('Cron schedule of catalog backups (UTC).'),
      retentionDays: z.number().int().min(1).max(3650).default(7).describe('Backups older than this many days are deleted.'),
    })
    .optional()
    .describe('Scheduled backups of the catalog file to the bucket.'),
  restore: z
    .object({ fromBackup: z.string().regex(BACKUP_NAME, 'must be a backup name or "latest"').describe('Backup name, or latest.') })
    .optional()
    .describe('Restore the catalog from a backup; honoured only when the catalog is created.'),
  podTemplate: z
    .object({
      configMapRef: z
        .object({ name: z.string().max(253).describe('Name of the ConfigMap, in the namespace of the catalog.') })
        .describe(
          'ConfigMap whose key "template" holds a pod template (YAML or JSON) laid over every runner pod of this catalog: metadata.labels, ' +
          'metadata.annotations, and spec fields such as nodeSelector, tolerations, affinity, priorityClassName, or containers by name ' +
          '(the runner container is "runner": resources, env). Featherman\'s security settings are applied after it. A missing ConfigMap ' +
          'or key, or an invalid template, sets Ready=False with reason InvalidPodTemplate and starts no runner Job. Label the ConfigMap ' +
          'featherman.dev/pod-template=true so that a change takes effect at once rather than at the next sweep.',
        ),
    })
    .optional()
    .describe('Overrides of the runner pods of this catalog and its tables and queries.'),
});
export type DuckLakeCatalogSpec = z.infer<typeof DuckLakeCatalogSpec>;

/** DuckLakeCatalogStatus is what Featherman observed of the catalog. */
export const DuckLakeCatalogStatus = z.object({
  phase: Phase.optional().describe('Pending, Running, Succeeded or Failed.'),
  observedGeneration: z.number().int().optional().describe('The generation the status reflects.'),
  conditions: z.array(Condition).max(16).optional().describe('Ready, Reconciling and Degraded.'),
  snapshotId: z.number().int().optional().describe('The latest committed snapshot.'),
  tableCount: z.number().int().optional().describe('Tables in the catalog.'),
  dataPath: z.string().optional().describe('The catalog data path (s3://bucket/prefix/).'),
  lastBackup: z.string().optional().describe('Time of the last successful backup.'),
  maintenanceFailure: MaintenanceFailure.optional().describe('The last failed maintenance run (Degraded=MaintenanceFailed), kept until a later run of the same operation succeeds.'),
});
export type DuckLakeCatalogStatus = z.infer<typeof DuckLakeCatalogStatus>;

/** DuckLakeCatalogCrd describes the DuckLakeCatalog resource for the CRD generator. */
export const DuckLakeCatalogCrd: CrdDefinition = {
  kind: 'DuckLakeCatalog',
  plural: 'ducklakecatalogs',
  singular: 'ducklakecatalog',
  shortNames: ['dlc'],
  description: 'A DuckLake catalog: one DuckDB file on a volume, its data as Parquet in an S3 bucket.',
  spec: DuckLakeCatalogSpec,
  status: DuckLakeCatalogStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Snapshot', type: 'integer', jsonPath: '.status.snapshotId' },
    { name: 'Tables', type: 'integer', jsonPath: '.status.tableCount' },
    { name: 'Bucket', type: 'string', jsonPath: '.spec.objectStore.bucket', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specValidations: [],
};
