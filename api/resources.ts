import type { CrdDefinition } from './crd-definition.ts';
import { DuckLakeCatalogCrd } from './ducklake-catalog.ts';
import { DuckLakeQueryCrd } from './ducklake-query.ts';
import { DuckLakeTableCrd } from './ducklake-table.ts';

/** FEATHERMAN_CRDS lists every Featherman kind, in the order `crds/` files are written. */
export const FEATHERMAN_CRDS: readonly CrdDefinition[] = [DuckLakeCatalogCrd, DuckLakeTableCrd, DuckLakeQueryCrd];
