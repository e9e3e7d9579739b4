import { catalogPvcName, LABELS, labelValue, MANAGED_BY } from '../core/names.ts';
import type { DuckLakeCatalog } from '../core/resources.ts';
import type { PersistentVolumeClaim } from './k8s-types.ts';

/**
 * buildCatalogPvc builds the catalog's volume claim (pure): ReadWriteOnce (one writer
 * at a time is what the catalog lock enforces anyway), the spec's size and storage
 * class (omitted = the cluster default), owned by the catalog so it goes when the
 * catalog goes. It is not blocking owner deletion: the catalog's finalizer already waits.
 */
export function buildCatalogPvc(catalog: DuckLakeCatalog): PersistentVolumeClaim {
  const { name, namespace, uid } = catalog.metadata;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: catalogPvcName(name),
      namespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.component]: 'catalog-volume', [LABELS.catalog]: labelValue(name) },
      ownerReferences: [{ apiVersion: catalog.apiVersion, kind: catalog.kind, name, uid, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(catalog.spec.storageClass !== undefined ? { storageClassName: catalog.spec.storageClass } : {}),
      volumeMode: 'Filesystem',
      resources: { requests: { storage: catalog.spec.size } },
    },
  };
}
