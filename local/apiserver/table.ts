/**
 * meta.k8s.io/v1 Table answers (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`):
 * NAME, then the CRD's additionalPrinterColumns or a built-in kind's columns (pure).
 */
import { ageOf, builtinColumns, type ColumnDefinition } from './builtin-columns.ts';
import { evaluateJsonPath } from './jsonpath.ts';
import type { ServedResource } from './registry.ts';
import { badRequest } from './status.ts';
import type { JsonObject, PrinterColumn } from './types.ts';

/** IncludeObject is the `includeObject` query parameter of a Table request. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** wantsTable tells whether an Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((piece) => piece.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}

/** parseIncludeObject reads `includeObject` (default Metadata); throws a 400 ApiError on other values. */
export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`);
}

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
};

function printerCell(object: JsonObject, column: PrinterColumn, now: Date): unknown {
  let values: unknown[];
  try {
    values = evaluateJsonPath(object, column.jsonPath);
  } catch {
    return null;
  }
  const value = values[0];
  if (value === undefined || value === null) return null;
  if (column.type === 'date') return ageOf(value, now);
  if (column.type === 'integer' || column.type === 'number') return typeof value === 'number' ? value : Number(value);
  if (column.type === 'boolean') return typeof value === 'boolean' ? value : String(value) === 'true';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function rowObject(object: JsonObject, include: IncludeObject): JsonObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** buildTable renders objects (already in the served version) as a meta.k8s.io/v1 Table (pure). */
export function buildTable(served: ServedResource, objects: JsonObject[], options: { include: IncludeObject; resourceVersion: string; now: Date; apiVersion: string }): JsonObject {
  let definitions: ColumnDefinition[];
  let cells: (object: JsonObject) => unknown[];
  const name = (object: JsonObject): unknown => (object.metadata as JsonObject | undefined)?.name ?? '';
  if (served.descriptor.builtin) {
    const columns = builtinColumns(served.storageKey);
    // kubectl get events shows no NAME column: the real server marks it priority 1 (wide only).
    const nameColumn = served.storageKey === '/events' ? { ...NAME_COLUMN, priority: 1 } : NAME_COLUMN;
    definitions = [nameColumn, ...columns.map((column) => column.definition)];
    cells = (object) => [name(object), ...columns.map((column) => column.cell(object, options.now))];
  } else {
    const printer: PrinterColumn[] = served.descriptor.printerColumns.length > 0
      ? served.descriptor.printerColumns
      : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
    definitions = [NAME_COLUMN, ...printer.map((column) => ({
      name: column.name, type: column.type, format: column.format ?? '', description: column.description ?? '', priority: column.priority ?? 0,
    }))];
    cells = (object) => [name(object), ...printer.map((column) => printerCell(object, column, options.now))];
  }
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: definitions,
    rows: objects.map((object) => {
      const row: JsonObject = { cells: cells(object) };
      const included = rowObject(object, options.include);
      if (included) row.object = included;
      return row;
    }),
  };
}
