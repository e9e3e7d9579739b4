/**
 * reconcilePodTemplateUsers: an ApiServerSource event about a runner pod template
 * ConfigMap (labelled featherman.dev/pod-template=true) reaches reconcile-catalog. A
 * catalog does not change when the ConfigMap it names is fixed, broken or deleted, so its
 * own events say nothing (and its status looks current): the catalogs of that namespace
 * whose spec.podTemplate.configMapRef names the ConfigMap are reconciled now, from fresh
 * reads, and then their tables and queries that wait (InvalidPodTemplate among the reasons,
 * wakeDependents). A ConfigMap no catalog names is nothing to do.
 * Side effects: through reconcileResource.
 */
import type { RawObject } from '../adapters/kube.ts';
import type { HandlerDeps } from './deps.ts';
import { wakeDependents } from './dependents.ts';
import { metaText } from './observe.ts';
import { reconcileResource } from './reconcile.ts';

/** podTemplateRef reads spec.podTemplate.configMapRef.name of a raw catalog (pure). */
function podTemplateRef(catalog: RawObject): string | undefined {
  const spec = catalog.spec as { podTemplate?: { configMapRef?: { name?: unknown } } } | undefined;
  const name = spec?.podTemplate?.configMapRef?.name;
  return typeof name === 'string' ? name : undefined;
}

/** PodTemplateOutcome says which catalogs and dependents one ConfigMap event reconciled. */
export interface PodTemplateOutcome {
  configMap: string;
  catalogs: string[];
  woken: string[];
}

/** reconcilePodTemplateUsers reconciles the users of ConfigMap `namespace/name` (side effects: API reads and writes). */
export async function reconcilePodTemplateUsers(deps: HandlerDeps, namespace: string, name: string): Promise<PodTemplateOutcome> {
  const users = (await deps.kube.listResources('DuckLakeCatalog', namespace)).filter((catalog) => podTemplateRef(catalog) === name);
  const outcome: PodTemplateOutcome = { configMap: `${namespace}/${name}`, catalogs: [], woken: [] };
  for (const catalog of users) {
    const catalogName = metaText(catalog, 'name');
    if (catalogName === undefined) continue;
    await reconcileResource(deps, 'DuckLakeCatalog', namespace, catalogName);
    outcome.catalogs.push(catalogName);
    outcome.woken.push(...(await wakeDependents(deps, namespace, catalogName)));
  }
  deps.log.info({ kind: 'ConfigMap', namespace, name, catalogs: outcome.catalogs, woken: outcome.woken }, 'pod template changed');
  return outcome;
}
