/**
 * The sweep function (PingSource tick): ApiServerSource sends nothing for objects that
 * exist when it starts and drops events after five failed sends, so every tick lists
 * every catalog, table and query and reconciles each; then it starts the maintenance
 * Jobs that are due (maintenance.ts). One failing resource does not stop the others;
 * the answer is 5xx if any failed, so the tick is redelivered.
 * Side effects: through reconcileResource and the kube adapter.
 */
import { validateCatalog } from '../core/validate-catalog.ts';
import { validateTable } from '../core/validate-table.ts';
import type { DuckLakeTable } from '../core/resources.ts';
import { parseCloudEvent } from '../events/cloudevent.ts';
import { parsePingEvent } from '../events/ping-event.ts';
import type { FeathermanKind } from '../adapters/kube.ts';
import { badRequest, ok, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { decideMaintenance } from './maintenance.ts';
import { controlConfig, metaText } from './observe.ts';
import { reconcileResource } from './reconcile.ts';

const KINDS: FeathermanKind[] = ['DuckLakeCatalog', 'DuckLakeTable', 'DuckLakeQuery'];

/** SWEEP_CONCURRENCY is how many resources the sweep reconciles at once. */
export const SWEEP_CONCURRENCY = 4;

async function startMaintenance(deps: HandlerDeps): Promise<string[]> {
  const [catalogs, tables] = await Promise.all([deps.kube.listResources('DuckLakeCatalog'), deps.kube.listResources('DuckLakeTable')]);
  const validTables = tables.flatMap((raw) => { const checked = validateTable(raw); return checked.ok ? [checked.value] : []; });
  const created: string[] = [];
  const now = deps.now();
  for (const raw of catalogs) {
    const checked = validateCatalog(raw);
    if (!checked.ok) continue;
    const catalog = checked.value;
    const own = validTables.filter((table: DuckLakeTable) => table.metadata.namespace === catalog.metadata.namespace && table.spec.catalogRef === catalog.metadata.name);
    const actions = decideMaintenance(catalog, own, await controlConfig(deps, catalog), now);
    for (const action of actions) {
      if (action.type === 'createJob' && (await deps.kube.createJob(action.job)) === 'created') created.push(action.job.metadata.name);
    }
  }
  return created;
}

/** sweepHandler handles one PingSource tick. */
export async function sweepHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  const event = parseCloudEvent(request.headers, request.body);
  if ('kind' in event) return badRequest(event.message);
  const ping = parsePingEvent(event);
  if (ping.kind === 'ignore') return ok({ ignored: ping.reason });
  const failures: string[] = [];
  let reconciled = 0;
  // Kind by kind (catalogs first, so their tables see them as just reconciled), a few
  // resources at a time, so the API server sees a bounded load however many there are.
  for (const kind of KINDS) {
    const work = (await deps.kube.listResources(kind)).map((item) => ({ namespace: metaText(item, 'namespace') ?? 'default', name: metaText(item, 'name') ?? '' }));
    let next = 0;
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, async () => {
      for (let item = work[next++]; item !== undefined; item = work[next++]) {
        const { namespace, name } = item;
        try {
          await reconcileResource(deps, kind, namespace, name);
          reconciled++;
        } catch (error) {
          deps.log.error({ err: error, kind, namespace, name }, 'sweep could not reconcile a resource');
          failures.push(`${kind} ${namespace}/${name}`);
        }
      }
    }));
  }
  const maintenance = ping.task === 'resync-only' ? [] : await startMaintenance(deps);
  const body = { task: ping.task, reconciled, maintenanceJobs: maintenance, failures };
  if (failures.length > 0) return { status: 503, body: { ...body, error: `the sweep could not reconcile ${failures.length} resource(s): ${failures.slice(0, 5).join(', ')}` } };
  return ok(body);
}
