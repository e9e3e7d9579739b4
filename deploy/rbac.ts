/**
 * RBAC: one ServiceAccount, ClusterRole and ClusterRoleBinding per function and per
 * ApiServerSource. The rules are written out here by hand, least privilege; the RBAC
 * test derives what each handler's code calls through the adapters and compares both ways.
 */
import { LABELS } from '../functions/core/names.ts';
import { FUNCTION_PROFILES, serviceName } from './handlers.ts';
import type { Manifest } from './manifest.ts';
import { labelsFor } from './manifest.ts';

/** Rule is one RBAC rule: an API group, resources and verbs. */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const GROUP = 'ducklake.featherman.dev';
const PLURALS = ['ducklakecatalogs', 'ducklakequeries', 'ducklaketables'];

const RECONCILER: Rule[] = [
  { apiGroups: [GROUP], resources: PLURALS, verbs: ['get', 'list', 'update'] },
  { apiGroups: [GROUP], resources: PLURALS.map((plural) => `${plural}/status`), verbs: ['update'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] },
];

/** HANDLER_RULES are the ClusterRole rules of each function's ServiceAccount. */
export const HANDLER_RULES: Readonly<Record<string, readonly Rule[]>> = {
  'reconcile-catalog': RECONCILER,
  'reconcile-table': RECONCILER,
  'reconcile-query': RECONCILER,
  'job-finished': RECONCILER.map((rule) => (rule.apiGroups[0] === 'batch' ? { ...rule, verbs: ['create', 'get', 'list'] } : rule)),
  's3-object': RECONCILER,
  sweep: RECONCILER,
  admission: [
    { apiGroups: [GROUP], resources: PLURALS, verbs: ['get', 'list'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['persistentvolumeclaims', 'secrets', 'configmaps'], verbs: ['get'] },
  ],
};

/** SourceWatch is what one ApiServerSource watches. */
export interface SourceWatch {
  name: string;
  apiVersion: string;
  kind: string;
  group: string;
  plural: string;
  selector?: Record<string, string>;
}

/**
 * SOURCE_WATCHES: the three Featherman kinds, Jobs that Featherman created, and the runner
 * pod template ConfigMaps (labelled featherman.dev/pod-template=true; no other ConfigMap):
 * a catalog does not change when its template is fixed, so without this watch only the
 * sweep would see the fix.
 */
export const SOURCE_WATCHES: readonly SourceWatch[] = [
  { name: 'catalogs', apiVersion: `${GROUP}/v1alpha1`, kind: 'DuckLakeCatalog', group: GROUP, plural: 'ducklakecatalogs' },
  { name: 'tables', apiVersion: `${GROUP}/v1alpha1`, kind: 'DuckLakeTable', group: GROUP, plural: 'ducklaketables' },
  { name: 'queries', apiVersion: `${GROUP}/v1alpha1`, kind: 'DuckLakeQuery', group: GROUP, plural: 'ducklakequeries' },
  { name: 'jobs', apiVersion: 'batch/v1', kind: 'Job', group: 'batch', plural: 'jobs', selector: { 'app.kubernetes.io/managed-by': 'featherman' } },
  { name: 'pod-templates', apiVersion: 'v1', kind: 'ConfigMap', group: '', plural: 'configmaps', selector: { [LABELS.podTemplate]: 'true' } },
];

/** sourceAccountName is the ServiceAccount of one ApiServerSource (pure). */
export function sourceAccountName(watch: SourceWatch): string {
  return `featherman-source-${watch.name}`;
}

function identity(name: string, namespace: string, rules: readonly Rule[], component: string): Manifest[] {
  const labels = labelsFor(component);
  return [
    { file: `rbac/${name}.yaml`, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } } },
    { file: `rbac/${name}.yaml`, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: rules.map((rule) => ({ ...rule })) } },
    {
      file: `rbac/${name}.yaml`,
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    },
  ];
}

/** buildRbac returns every ServiceAccount, ClusterRole and binding (pure). */
export function buildRbac(namespace: string): Manifest[] {
  const out: Manifest[] = [];
  for (const profile of FUNCTION_PROFILES) out.push(...identity(serviceName(profile.name), namespace, HANDLER_RULES[profile.name] ?? [], profile.name));
  for (const watch of SOURCE_WATCHES) {
    // namespaces: the source resolves its namespaceSelector by listing and watching namespaces.
    const rules = [
      { apiGroups: [watch.group], resources: [watch.plural], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    ];
    out.push(...identity(sourceAccountName(watch), namespace, rules, `source-${watch.name}`));
  }
  return out;
}
