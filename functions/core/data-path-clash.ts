/**
 * Where data lives must not overlap (pure). Two catalogs must not share a data path, nor
 * nest one in the other, on the same object store: each would list the other's files
 * under a table directory they both use as its own orphans, and the daily cleanup would
 * delete them. A table's folder must be its own: not shared with or nested in another
 * table's, not inside another catalog's data path, and not around its own catalog's.
 */
import type { ObjectStoreSpec } from '../../api/object-store-spec.ts';
import { catalogDataPath } from './plan-build.ts';

/** CatalogPlace is what the check needs of a catalog: who it is and where its data lives. */
export interface CatalogPlace {
  namespace: string;
  name: string;
  objectStore: Pick<ObjectStoreSpec, 'bucket' | 'prefix' | 'endpoint'>;
}

/** endpointKey normalises an endpoint for comparison ('' is the SDK's default, AWS) (pure). */
export function endpointKey(endpoint: string | undefined): string {
  return (endpoint ?? '').trim().toLowerCase().replace(/\/+$/, '');
}

// One folder is the other or lies inside it (both end in `/`).
const nested = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/**
 * dataPathClash returns the sentence that refuses `candidate` when another catalog's data
 * path equals or contains its own, or lies inside it, on the same endpoint; undefined when
 * none does (the candidate itself, by namespace and name, is skipped).
 */
export function dataPathClash(candidate: CatalogPlace, others: readonly CatalogPlace[]): string | undefined {
  const mine = catalogDataPath(candidate.objectStore);
  const clash = others.find((other) => {
    if (other.namespace === candidate.namespace && other.name === candidate.name) return false;
    return endpointKey(other.objectStore.endpoint) === endpointKey(candidate.objectStore.endpoint) && nested(catalogDataPath(other.objectStore), mine);
  });
  if (!clash) return undefined;
  const theirs = catalogDataPath(clash.objectStore);
  const how = theirs === mine ? 'is already the data path of' : theirs.startsWith(mine) ? 'contains the data path of' : 'lies inside the data path of';
  return `spec.objectStore: data path ${mine} ${how} DuckLakeCatalog ${clash.namespace}/${clash.name} (${theirs}); catalogs must not share or nest data paths, or each would delete the other's files as orphans; choose another bucket or prefix.`;
}

/** TablePlace is where one table's objects live: its identity, endpoint and `s3://bucket/prefix/`. */
export interface TablePlace {
  namespace: string;
  name: string;
  endpoint: string;
  url: string;
}

/**
 * tablePathClash returns the sentence that refuses a table whose objects would share a
 * folder with another table's (one equal to or inside the other), contain its own catalog's
 * data path, or lie in another catalog's data path, on the same endpoint; undefined when
 * none (pure). Deleting a table with deletionPolicy Delete removes everything under its
 * folder, and a catalog's cleanup removes what it does not reference under its tables'.
 */
export function tablePathClash(candidate: TablePlace, own: CatalogPlace, tables: readonly TablePlace[], catalogs: readonly CatalogPlace[]): string | undefined {
  const here = (endpoint: string) => endpoint === candidate.endpoint;
  const ownPath = catalogDataPath(own.objectStore);
  if (here(endpointKey(own.objectStore.endpoint)) && ownPath.startsWith(candidate.url)) {
    return `spec.location: the table's objects at ${candidate.url} would contain the data path of its catalog ${own.namespace}/${own.name} (${ownPath}), so deleting the table with deletionPolicy Delete would delete the whole catalog's data; choose a folder of its own.`;
  }
  const table = tables.find((other) => !(other.namespace === candidate.namespace && other.name === candidate.name) && here(other.endpoint) && nested(other.url, candidate.url));
  if (table) {
    return `spec.location: the table's objects at ${candidate.url} would share a folder with DuckLakeTable ${table.namespace}/${table.name} (${table.url}); deleting either with deletionPolicy Delete, or cleaning its catalog, would remove the other's files; give each table a folder of its own.`;
  }
  const catalog = catalogs.find((other) => !(other.namespace === own.namespace && other.name === own.name) && here(endpointKey(other.objectStore.endpoint)) && nested(catalogDataPath(other.objectStore), candidate.url));
  if (catalog) {
    return `spec.location: the table's objects at ${candidate.url} would lie in the data path of DuckLakeCatalog ${catalog.namespace}/${catalog.name} (${catalogDataPath(catalog.objectStore)}), whose cleanup would delete them as orphans; choose a folder outside it.`;
  }
  return undefined;
}
