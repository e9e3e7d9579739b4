/**
 * The admission function: a validating webhook (AdmissionReview v1) for what the CRD
 * schema cannot check without a lookup: a catalog's data path is its own (shared by no
 * other catalog, in any namespace); the referenced catalog exists; a table's SQL name
 * is unique in its catalog; a query's SQL is one read-only SELECT (DuckDB's parser). It
 * also runs the control plane's own validation so a person sees every issue at apply
 * time. Deletes and other kinds are allowed. Side effects: API reads, DuckDB parsing.
 */
import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../events/outcome.ts';
import { messageOf } from '../../api/issues.ts';
import { dataPathClash, endpointKey, tablePathClash, type CatalogPlace, type TablePlace } from '../core/data-path-clash.ts';
import { tableObjects } from '../core/decide-table-deletion.ts';
import type { DuckLakeCatalog, DuckLakeTable } from '../core/resources.ts';
import { validateCatalog } from '../core/validate-catalog.ts';
import { validateQuery } from '../core/validate-query.ts';
import { validateTable } from '../core/validate-table.ts';
import { GROUP, isFeathermanKind, type FeathermanKind, type RawObject } from '../adapters/kube.ts';
import { badRequest, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { metaText, specText } from './observe.ts';

/** AdmissionRequest is the part of an AdmissionReview request the webhook reads. */
interface AdmissionRequest {
  uid: string;
  kind: string;
  operation: string;
  namespace: string;
  object: RawObject;
  oldObject?: RawObject;
}

function parseReview(body: string): AdmissionRequest | string {
  let review: unknown;
  try {
    review = JSON.parse(body) as unknown;
  } catch {
    return 'the body is not JSON, so it is no AdmissionReview';
  }
  if (!isObject(review) || review.kind !== 'AdmissionReview' || !isObject(review.request)) return 'the body is not an AdmissionReview with a request';
  const request = review.request;
  const kind = isObject(request.kind) && typeof request.kind.kind === 'string' ? request.kind.kind : '';
  const group = isObject(request.kind) && typeof request.kind.group === 'string' ? request.kind.group : '';
  if (typeof request.uid !== 'string' || request.uid === '') return 'request.uid: is required';
  const object = isObject(request.object) ? (request.object as RawObject) : {};
  const namespace = typeof request.namespace === 'string' && request.namespace !== '' ? request.namespace : (metaText(object, 'namespace') ?? 'default');
  const oldObject = isObject(request.oldObject) ? (request.oldObject as RawObject) : undefined;
  return { uid: request.uid, kind: group === GROUP ? kind : `${group}/${kind}`, operation: String(request.operation ?? ''), namespace, object, ...(oldObject ? { oldObject } : {}) };
}

// At CREATE the API server may not have stamped uid and generation yet; validation needs them.
function withIdentity(object: RawObject, namespace: string): RawObject {
  const metadata = { uid: 'pending-admission', generation: 1, ...(object.metadata ?? {}), namespace };
  return { ...object, metadata };
}

function validationIssues(kind: FeathermanKind, object: RawObject): string[] {
  const checked = kind === 'DuckLakeCatalog' ? validateCatalog(object) : kind === 'DuckLakeTable' ? validateTable(object) : validateQuery(object);
  return checked.ok ? [] : checked.issues;
}

async function denial(deps: HandlerDeps, kind: FeathermanKind, request: AdmissionRequest): Promise<string | undefined> {
  const object = withIdentity(request.object, request.namespace);
  const issues = validationIssues(kind, object);
  if (issues.length > 0) return messageOf(issues);
  if (kind === 'DuckLakeCatalog') {
    const [candidate] = validCatalogs([object]);
    return candidate ? dataPathClash(catalogPlace(candidate), validCatalogs(await deps.kube.listResources('DuckLakeCatalog')).map(catalogPlace)) : undefined;
  }
  const catalogRef = specText(object, 'catalogRef') ?? '';
  const catalogObject = await deps.kube.readResource('DuckLakeCatalog', request.namespace, catalogRef);
  if (catalogObject === undefined) {
    return `spec.catalogRef: DuckLakeCatalog ${JSON.stringify(catalogRef)} does not exist in namespace ${request.namespace}; create it first or fix the reference.`;
  }
  if (kind === 'DuckLakeTable') {
    const schema = specText(object, 'schema') ?? 'main';
    const sqlName = specText(object, 'name') ?? '';
    const name = metaText(object, 'name');
    const clash = (await deps.kube.listResources('DuckLakeTable', request.namespace)).find((other) =>
      metaText(other, 'name') !== name && specText(other, 'catalogRef') === catalogRef && (specText(other, 'schema') ?? 'main') === schema && specText(other, 'name') === sqlName);
    if (clash !== undefined) {
      return `spec.name: table ${schema}.${sqlName} already exists in catalog ${catalogRef} as DuckLakeTable ${metaText(clash, 'name') ?? '?'}; choose another name or schema.`;
    }
    return tableFolderClash(deps, object, catalogObject);
  }
  const verdict = await deps.sql.checkReadOnlySelect(specText(object, 'sql') ?? '');
  return verdict.ok ? undefined : verdict.message;
}

function validCatalogs(items: readonly RawObject[]): DuckLakeCatalog[] {
  return items.flatMap((item) => {
    const checked = validateCatalog(item);
    return checked.ok ? [checked.value] : [];
  });
}

function catalogPlace(catalog: DuckLakeCatalog): CatalogPlace {
  return { namespace: catalog.metadata.namespace, name: catalog.metadata.name, objectStore: catalog.spec.objectStore };
}

function tablePlace(table: DuckLakeTable, catalog: DuckLakeCatalog): TablePlace {
  const { bucket, prefix } = tableObjects(catalog, table);
  return { namespace: table.metadata.namespace, name: table.metadata.name, endpoint: endpointKey((table.spec.objectStore ?? catalog.spec.objectStore).endpoint), url: `s3://${bucket}/${prefix}` };
}

// The table's folder against every other table's and catalog's, cluster-wide (two listings).
async function tableFolderClash(deps: HandlerDeps, object: RawObject, catalogObject: RawObject): Promise<string | undefined> {
  const table = validateTable(object);
  const [catalog] = validCatalogs([catalogObject]);
  if (!table.ok || !catalog) return undefined;
  const catalogs = validCatalogs(await deps.kube.listResources('DuckLakeCatalog'));
  const byRef = new Map(catalogs.map((each) => [`${each.metadata.namespace}/${each.metadata.name}`, each]));
  const tables = (await deps.kube.listResources('DuckLakeTable')).flatMap((item) => {
    const checked = validateTable(item);
    const owner = checked.ok ? byRef.get(`${checked.value.metadata.namespace}/${checked.value.spec.catalogRef}`) : undefined;
    return checked.ok && owner ? [tablePlace(checked.value, owner)] : [];
  });
  return tablePathClash(tablePlace(table.value, catalog), catalogPlace(catalog), tables, catalogs.map(catalogPlace));
}

/** admissionHandler answers one AdmissionReview: allowed, or denied with a message a person can act on. */
export async function admissionHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  const review = parseReview(request.body);
  if (typeof review === 'string') return badRequest(review);
  const answer = (allowed: boolean, message?: string): Answer => ({
    status: 200,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.uid, allowed, ...(message !== undefined ? { status: { code: 403, reason: 'Forbidden', message } } : {}) },
    },
  });
  if (!isFeathermanKind(review.kind) || (review.operation !== 'CREATE' && review.operation !== 'UPDATE')) return answer(true);
  // Finalizer and status writes (ours included) must pass even when the catalog is gone.
  if (review.operation === 'UPDATE' && (review.object.metadata?.deletionTimestamp !== undefined || isDeepStrictEqual(review.object.spec, review.oldObject?.spec))) return answer(true);
  const message = await denial(deps, review.kind, review);
  if (message !== undefined) deps.log.info({ kind: review.kind, namespace: review.namespace, name: metaText(review.object, 'name'), message }, 'admission denied');
  return message === undefined ? answer(true) : answer(false, message);
}
