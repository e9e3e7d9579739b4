/**
 * The s3-object function: S3 object notifications as a CloudEvent (IntegrationSource),
 * as a plain AWS S3 JSON post, or as a MinIO webhook post (which must carry the Bearer
 * token when FEATHERMAN_S3_WEBHOOK_TOKEN is set). Landing files → one ingest Job per table
 * and minute (decideTable names it by table uid and minute bucket, so ten objects in one
 * minute start one Job). A removed data object that HEAD confirms gone → the table is
 * Degraded (ObjectMissing) and a Warning Event is recorded. An object created under the
 * data path of a table with that alarm starts a consistency check of its catalog
 * (decideRestoredCheck), whose finish clears the alarm once every object is back.
 * Side effects: API reads and writes, HEAD requests.
 */
import { timingSafeEqual } from 'node:crypto';
import { decideRestoredCheck } from '../core/decide-restored-check.ts';
import { missingMessage, recordMissing } from '../core/object-missing.ts';
import { ownerOf } from '../core/resources.ts';
import { validateCatalog } from '../core/validate-catalog.ts';
import { validateTable } from '../core/validate-table.ts';
import { buildEvent } from '../specs/event.ts';
import { isCloudEventRequest, parseCloudEvent } from '../events/cloudevent.ts';
import { parseS3Notification, s3RecordKey, type S3Record } from '../events/s3-notification.ts';
import type { DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import { badRequest, ok, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { controlConfig, observeCatalogChecks } from './observe.ts';
import { reconcileResource } from './reconcile.ts';
import { matchS3Records, type RecordMatch, type TableWithCatalog } from './s3-match.ts';

function header(request: IncomingRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** hasBearerToken compares the Authorization header with `Bearer <token>` in constant time (pure). */
export function hasBearerToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function bodyOf(request: IncomingRequest): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  if (isCloudEventRequest(request.headers)) {
    const event = parseCloudEvent(request.headers, request.body);
    return 'kind' in event ? { ok: false, answer: badRequest(event.message) } : { ok: true, value: event.data };
  }
  try {
    return { ok: true, value: JSON.parse(request.body) as unknown };
  } catch {
    return { ok: false, answer: badRequest('the body is neither a CloudEvent nor JSON, so it is no S3 notification') };
  }
}

async function readTables(deps: HandlerDeps): Promise<TableWithCatalog[]> {
  const [tables, catalogs] = await Promise.all([deps.kube.listResources('DuckLakeTable'), deps.kube.listResources('DuckLakeCatalog')]);
  const byName = new Map(catalogs.flatMap((raw) => {
    const checked = validateCatalog(raw);
    return checked.ok ? [[`${checked.value.metadata.namespace}/${checked.value.metadata.name}`, checked.value] as const] : [];
  }));
  return tables.flatMap((raw) => {
    const checked = validateTable(raw);
    if (!checked.ok || checked.value.metadata.deletionTimestamp !== undefined) return [];
    const table = checked.value;
    return [{ table, catalog: byName.get(`${table.metadata.namespace}/${table.spec.catalogRef}`) }];
  });
}

async function stillMissing(deps: HandlerDeps, target: TableWithCatalog, record: S3Record): Promise<boolean> {
  const store = target.table.spec.objectStore ?? target.catalog?.spec.objectStore;
  if (deps.s3 === undefined || store === undefined) return true;
  return (await deps.s3.headObject(store, target.table.metadata.namespace, record.bucket, record.key)) === undefined;
}

async function reportMissing(deps: HandlerDeps, target: TableWithCatalog, records: S3Record[]): Promise<string[]> {
  const gone: S3Record[] = [];
  for (const record of records) if (await stillMissing(deps, target, record)) gone.push(record);
  if (gone.length === 0) return [];
  const { table } = target;
  const now = deps.now();
  const urls = gone.map((record) => `s3://${record.bucket}/${record.key}`);
  const label = `${table.spec.schema}.${table.spec.name}`;
  const message = missingMessage(urls, label);
  await deps.kube.createEvent(buildEvent({ involved: ownerOf(table), type: 'Warning', reason: 'ObjectMissing', message, key: gone.map(s3RecordKey).join(','), now }));
  await deps.kube.applyStatus('DuckLakeTable', table.metadata.namespace, table.metadata.name, (fresh) => {
    const status = (fresh.status ?? {}) as DuckLakeTableStatus;
    const generation = typeof fresh.metadata?.generation === 'number' ? fresh.metadata.generation : 1;
    return recordMissing(status, urls, label, now, generation);
  });
  return urls;
}

// One check per catalog covers every alarmed table of it, however many records came back.
async function checkRestored(deps: HandlerDeps, matches: readonly RecordMatch[]): Promise<string[]> {
  const catalogs = new Map(matches.flatMap(({ target, restored }) => (restored.length > 0 && target.catalog !== undefined ? [[target.catalog.metadata.uid, target.catalog] as const] : [])));
  const created: string[] = [];
  for (const catalog of catalogs.values()) {
    const [checks, config] = await Promise.all([observeCatalogChecks(deps, catalog.metadata.namespace, catalog.metadata.uid), controlConfig(deps, catalog)]);
    for (const action of decideRestoredCheck(catalog, checks, config, deps.now())) {
      if (action.type === 'createJob' && (await deps.kube.createJob(action.job)) === 'created') created.push(action.job.metadata.name);
    }
  }
  return created;
}

/** s3ObjectHandler handles one S3 notification request. */
export async function s3ObjectHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  const cloudEvent = isCloudEventRequest(request.headers);
  if (!cloudEvent && deps.webhookToken !== undefined && !hasBearerToken(header(request, 'authorization'), deps.webhookToken)) {
    return { status: 401, body: { error: 'the S3 webhook post lacks the Authorization: Bearer token this function expects (FEATHERMAN_S3_WEBHOOK_TOKEN)' } };
  }
  const body = bodyOf(request);
  if (!body.ok) return body.answer;
  const notification = parseS3Notification(body.value);
  if (notification.kind === 'ignore') return ok({ ignored: notification.reason });
  const matches = matchS3Records(notification.records, await readTables(deps));
  const ingests: Array<{ table: string; jobsCreated: string[] }> = [];
  const missing: string[] = [];
  for (const match of matches) {
    const { namespace, name } = match.target.table.metadata;
    if (match.ingest.length > 0) {
      const outcome = await reconcileResource(deps, 'DuckLakeTable', namespace, name, { ingestRequested: true });
      ingests.push({ table: `${namespace}/${name}`, jobsCreated: outcome.jobsCreated });
    }
    if (match.removed.length > 0) missing.push(...(await reportMissing(deps, match.target, match.removed)));
  }
  const checks = await checkRestored(deps, matches);
  const summary = { shape: notification.shape, records: notification.records.length, skipped: notification.skipped, ingests, missing, checks };
  deps.log.info(summary, 's3 notification handled');
  return ok(summary);
}
