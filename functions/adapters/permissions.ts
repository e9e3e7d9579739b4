/**
 * ADAPTER_PERMISSIONS lists, for each adapter function, the (verb, API group, resource)
 * pairs it uses against the Kubernetes API. It is the one source an RBAC Role is derived
 * from: a new call in an adapter without a row here fails the RBAC test.
 */

/** Permission is one RBAC rule line: a verb on a resource of an API group ('' = core). */
export interface Permission {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  group: string;
  resource: string;
}

const GROUP = 'ducklake.featherman.dev';
const FEATHERMAN = ['ducklakecatalogs', 'ducklaketables', 'ducklakequeries'];

function each(verb: Permission['verb'], group: string, resources: readonly string[]): Permission[] {
  return resources.map((resource) => ({ verb, group, resource }));
}

/** ADAPTER_PERMISSIONS maps an adapter function name to what it calls (no side effects). */
export const ADAPTER_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  readResource: each('get', GROUP, FEATHERMAN),
  listResources: each('list', GROUP, FEATHERMAN),
  addFinalizer: [...each('get', GROUP, FEATHERMAN), ...each('update', GROUP, FEATHERMAN)],
  removeFinalizer: [...each('get', GROUP, FEATHERMAN), ...each('update', GROUP, FEATHERMAN)],
  applyStatus: [...each('get', GROUP, FEATHERMAN), ...each('update', GROUP, FEATHERMAN.map((plural) => `${plural}/status`))],
  listJobs: [{ verb: 'list', group: 'batch', resource: 'jobs' }],
  readJob: [{ verb: 'get', group: 'batch', resource: 'jobs' }],
  createJob: [{ verb: 'create', group: 'batch', resource: 'jobs' }],
  readTerminationMessage: [{ verb: 'list', group: '', resource: 'pods' }],
  readPvc: [{ verb: 'get', group: '', resource: 'persistentvolumeclaims' }],
  ensurePvc: [{ verb: 'create', group: '', resource: 'persistentvolumeclaims' }],
  createEvent: [{ verb: 'create', group: '', resource: 'events' }],
  readSecretData: [{ verb: 'get', group: '', resource: 'secrets' }],
  readConfigMapData: [{ verb: 'get', group: '', resource: 'configmaps' }],
};

/** permissionsOf returns the distinct permissions of every adapter function, sorted (pure). */
export function permissionsOf(table: Readonly<Record<string, readonly Permission[]>> = ADAPTER_PERMISSIONS): Permission[] {
  const seen = new Map<string, Permission>();
  for (const list of Object.values(table)) for (const permission of list) seen.set(`${permission.group}|${permission.resource}|${permission.verb}`, permission);
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, permission]) => permission);
}
