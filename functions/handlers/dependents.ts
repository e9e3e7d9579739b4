/**
 * wakeDependents reconciles the tables and queries that wait for a catalog (Ready=False
 * with CatalogMissing or CatalogNotReady): nothing else tells them that their catalog
 * appeared or became Ready. reconcileAlarmedTables does the same for the tables with an
 * ObjectMissing alarm once a consistency check of their catalog finished.
 * Side effects: through reconcileResource.
 */
import type { Condition } from '../../api/condition.ts';
import { findCondition } from '../core/conditions.ts';
import { isObjectMissing } from '../core/object-missing.ts';
import type { FeathermanKind } from '../adapters/kube.ts';
import type { HandlerDeps } from './deps.ts';
import { metaText, specText } from './observe.ts';
import { reconcileResource } from './reconcile.ts';

const WAITING = new Set(['CatalogMissing', 'CatalogNotReady', 'InvalidPodTemplate']);

/** wakeDependents returns the names of the resources it reconciled. */
export async function wakeDependents(deps: HandlerDeps, namespace: string, catalog: string): Promise<string[]> {
  const woken: string[] = [];
  for (const kind of ['DuckLakeTable', 'DuckLakeQuery'] as FeathermanKind[]) {
    const items = await deps.kube.listResources(kind, namespace);
    for (const item of items) {
      const conditions = (item.status as { conditions?: Condition[] } | undefined)?.conditions;
      const ready = findCondition(conditions, 'Ready');
      if (specText(item, 'catalogRef') !== catalog || (ready !== undefined && !WAITING.has(ready.reason))) continue;
      const name = metaText(item, 'name');
      if (name === undefined) continue;
      await reconcileResource(deps, kind, namespace, name);
      woken.push(`${kind}/${name}`);
    }
  }
  return woken;
}

/** reconcileAlarmedTables reconciles a catalog's tables that are Degraded=ObjectMissing and returns their names. */
export async function reconcileAlarmedTables(deps: HandlerDeps, namespace: string, catalog: string): Promise<string[]> {
  const reconciled: string[] = [];
  for (const item of await deps.kube.listResources('DuckLakeTable', namespace)) {
    const name = metaText(item, 'name');
    if (name === undefined || specText(item, 'catalogRef') !== catalog || !isObjectMissing((item.status as { conditions?: Condition[] } | undefined)?.conditions)) continue;
    await reconcileResource(deps, 'DuckLakeTable', namespace, name);
    reconciled.push(`DuckLakeTable/${name}`);
  }
  return reconciled;
}
