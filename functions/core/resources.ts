/**
 * The Featherman custom resources as the control plane sees them after validation:
 * metadata (the fields decisions use) + a parsed spec + the status as last written.
 */
import { z } from 'zod';
import { DuckLakeCatalogSpec, DuckLakeCatalogStatus } from '../../api/ducklake-catalog.ts';
import { DuckLakeQuerySpec, DuckLakeQueryStatus } from '../../api/ducklake-query.ts';
import { DuckLakeTableSpec, DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import type { ObjectReference } from '../specs/k8s-types.ts';

/** API_VERSION is the apiVersion of every Featherman resource. */
export const API_VERSION = 'ducklake.featherman.dev/v1alpha1';

/** ResourceMeta is the part of metav1.ObjectMeta decisions read. */
export const ResourceMeta = z.object({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63).default('default'),
  uid: z.string().max(128).default(''),
  generation: z.number().int().min(0).default(1),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).default([]),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ResourceMeta = z.infer<typeof ResourceMeta>;

function resource<K extends string, S extends z.ZodType, T extends z.ZodType>(kind: K, spec: S, status: T) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: ResourceMeta,
    spec,
    status: status.optional(),
  });
}

/** DuckLakeCatalog is a validated DuckLakeCatalog resource. */
export const DuckLakeCatalog = resource('DuckLakeCatalog', DuckLakeCatalogSpec, DuckLakeCatalogStatus);
export type DuckLakeCatalog = z.infer<typeof DuckLakeCatalog>;

/** DuckLakeTable is a validated DuckLakeTable resource. */
export const DuckLakeTable = resource('DuckLakeTable', DuckLakeTableSpec, DuckLakeTableStatus);
export type DuckLakeTable = z.infer<typeof DuckLakeTable>;

/** DuckLakeQuery is a validated DuckLakeQuery resource. */
export const DuckLakeQuery = resource('DuckLakeQuery', DuckLakeQuerySpec, DuckLakeQueryStatus);
export type DuckLakeQuery = z.infer<typeof DuckLakeQuery>;

/** FeathermanResource is any of the three kinds. */
export type FeathermanResource = DuckLakeCatalog | DuckLakeTable | DuckLakeQuery;

/** OwnerRef identifies the resource a Job, PVC or Event belongs to: an ObjectReference without fieldPath. */
export type OwnerRef = Omit<ObjectReference, 'fieldPath'>;

/** ownerOf returns the OwnerRef of a resource (pure). */
export function ownerOf(resource: FeathermanResource): OwnerRef {
  const { name, namespace, uid, resourceVersion } = resource.metadata;
  return { apiVersion: resource.apiVersion, kind: resource.kind, name, namespace, uid, ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
}

/** isDeleting reports whether Kubernetes has marked the resource for deletion (pure). */
export function isDeleting(resource: { metadata: { deletionTimestamp?: string | undefined } }): boolean {
  return resource.metadata.deletionTimestamp !== undefined;
}
