/**
 * Two catalogs must not share a data path, nor nest one in the other, on the same object
 * store. Each would list the other's files under a table directory they both use as its
 * own orphans, and the daily cleanup would delete them. Pure.
 */
import type { ObjectStoreSpec } from '../../api/object-store-spec.ts';
import { catalogDataPath } from './plan-build.ts';

/** CatalogPlace is what the check needs of a catalog: who it is and where its data lives. */
export interface CatalogPlace {
  namespace: string;
  name: string;
  objectStore: Pick<ObjectStoreSpec, 'bucket' | 'prefix' | 'endpoint'>;
}

function storeOf(place: CatalogPlace): string {
  return (place.objectStore.endpoint ?? '').trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * dataPathClash returns the sentence that refuses `candidate` when another catalog's data
 * path equals or contains its own, or lies inside it, on the same endpoint; undefined when
 * none does (the candidate itself, by namespace and name, is skipped).
 */
export function dataPathClash(candidate: CatalogPlace, others: readonly CatalogPlace[]): string | undefined {
  const mine = catalogDataPath(candidate.objectStore);
  const clash = others.find((other) => {
    if (other.namespace === candidate.namespace && other.name === candidate.name) return false;
    if (storeOf(other) !== storeOf(candidate)) return false;
    const theirs = catalogDataPath(other.objectStore);
    return mine.startsWith(theirs) || theirs.startsWith(mine);
  });
  if (!clash) return undefined;
  const theirs = catalogDataPath(clash.objectStore);
  const how = theirs === mine ? 'is already the data path of' : theirs.startsWith(mine) ? 'contains the data path of' : 'lies inside the data path of';
  return `spec.objectStore: data path ${mine} ${how} DuckLakeCatalog ${clash.namespace}/${clash.name} (${theirs}); catalogs must not share or nest data paths, or each would delete the other's files as orphans; choose another bucket or prefix.`;
}
