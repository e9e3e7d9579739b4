import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ADAPTER_PERMISSIONS, type Permission } from '../../functions/adapters/permissions.ts';
import { HANDLERS } from '../../functions/handlers/app.ts';
import { FUNCTION_PROFILES, serviceName } from '../../deploy/handlers.ts';
import { buildManifests } from '../../deploy/manifests.ts';
import { HANDLER_RULES, SOURCE_WATCHES, sourceAccountName, type Rule } from '../../deploy/rbac.ts';
import { DEFAULT_SETTINGS } from '../../deploy/settings.ts';

/** The files a handler's code can reach: its import closure inside functions/handlers, plus the S3 adapter it is handed. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [resolve(entry)];
  while (todo.length > 0) {
    const file = todo.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+\.ts)'/g)) {
      const target = resolve(dirname(file), match[1] ?? '');
      if (target.includes('/functions/handlers/') || target.endsWith('/functions/adapters/s3.ts')) todo.push(target);
    }
  }
  return [...seen];
}

/** The adapter functions a handler calls: every `kube.<method>(` in the files it reaches. */
function adapterCalls(handler: string): Set<string> {
  const calls = new Set<string>();
  for (const file of reachable(`functions/handlers/${handler}.ts`)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bkube\??\.(\w+)\(/g)) calls.add(match[1] ?? '');
  }
  return calls;
}

function lines(permissions: Iterable<Permission>): Set<string> {
  return new Set([...permissions].map((permission) => `${permission.verb} ${permission.group}/${permission.resource}`));
}

function ruleLines(rules: readonly Rule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) out.add(`${verb} ${group}/${resource}`);
  return out;
}

const objects = buildManifests(DEFAULT_SETTINGS).map((manifest) => manifest.object as { kind: string; metadata: { name: string }; rules?: Rule[]; roleRef?: { name: string }; subjects?: { name: string }[] });

function clusterRoleRules(name: string): Rule[] {
  const role = objects.find((object) => object.kind === 'ClusterRole' && object.metadata.name === name);
  assert.ok(role?.rules, `ClusterRole ${name} exists`);
  return role.rules;
}

const PLURAL_OF: Record<string, string> = { Job: 'jobs', Pod: 'pods', PersistentVolumeClaim: 'persistentvolumeclaims', Event: 'events', Secret: 'secrets', ConfigMap: 'configmaps' };
const VERB_OF: Record<string, Permission['verb']> = { get: 'get', read: 'get', list: 'list', create: 'create', replace: 'update', patch: 'patch', delete: 'delete' };
const CLIENT_GROUP: Record<string, string> = { core: '', batch: 'batch' };
const FEATHERMAN_PLURALS = ['ducklakecatalogs', 'ducklakequeries', 'ducklaketables'];

/** The (verb, group, resource) lines of one @kubernetes/client-node call such as `this.batch.createNamespacedJob(` (pure). */
function permissionsOfCall(client: string, method: string): string[] {
  const custom = /^(get|list|replace|patch|delete|create)(?:Namespaced|ClusterCustomObjectFor|CustomObjectFor)?(?:AllNamespaces)?CustomObject(Status)?(?:ForAllNamespaces)?$/.exec(method);
  if (client === 'custom' && custom?.[1] !== undefined) {
    const verb = VERB_OF[custom[1]] ?? custom[1];
    return FEATHERMAN_PLURALS.map((plural) => `${verb} ducklake.featherman.dev/${plural}${custom[2] === 'Status' ? '/status' : ''}`);
  }
  const builtin = /^(read|list|create|replace|patch|delete)Namespaced(\w+?)(Status)?$/.exec(method);
  const group = CLIENT_GROUP[client];
  const plural = builtin?.[2] === undefined ? undefined : PLURAL_OF[builtin[2]];
  assert.ok(builtin?.[1] !== undefined && group !== undefined && plural !== undefined, `unknown client call this.${client}.${method}`);
  return [`${VERB_OF[builtin[1]] ?? builtin[1]} ${group}/${plural}${builtin[3] === 'Status' ? '/status' : ''}`];
}

/** What each KubeAdapter method calls on the client, following calls to its own helpers. */
function adapterMethodPermissions(): Map<string, Set<string>> {
  const text = readFileSync('functions/adapters/kube.ts', 'utf8');
  const bodies = new Map<string, { public: boolean; body: string }>();
  const headers = [...text.matchAll(/^ {2}(private |static )?(?:async )?(\w+)\(/gm)];
  headers.forEach((header, index) => {
    const end = headers[index + 1]?.index ?? text.length;
    if (header[2] !== undefined && header[2] !== 'constructor') bodies.set(header[2], { public: header[1] === undefined, body: text.slice(header.index, end) });
  });
  const resolve = (name: string, seen: Set<string>): Set<string> => {
    const out = new Set<string>();
    const entry = bodies.get(name);
    if (entry === undefined || seen.has(name)) return out;
    seen.add(name);
    for (const call of entry.body.matchAll(/this\.(custom|core|batch)\.(\w+)\(/g)) for (const line of permissionsOfCall(call[1] ?? '', call[2] ?? '')) out.add(line);
    for (const call of entry.body.matchAll(/this\.(\w+)\(/g)) if (call[1] !== name) for (const line of resolve(call[1] ?? '', seen)) out.add(line);
    return out;
  };
  const out = new Map<string, Set<string>>();
  for (const [name, entry] of bodies) if (entry.public) out.set(name, resolve(name, new Set()));
  return out;
}

test('ADAPTER_PERMISSIONS is what each KubeAdapter method calls on the Kubernetes client, both ways', () => {
  const derived = adapterMethodPermissions();
  assert.ok(derived.size >= 10);
  for (const [method, permissions] of derived) {
    const declared = ADAPTER_PERMISSIONS[method];
    assert.ok(declared, `KubeAdapter.${method} has a row in ADAPTER_PERMISSIONS`);
    assert.deepEqual([...lines(declared)].sort(), [...permissions].sort(), method);
  }
  assert.deepEqual(Object.keys(ADAPTER_PERMISSIONS).filter((name) => !derived.has(name)), [], 'rows without a method');
});

test('every handler of the app has a Knative Service profile and rules, and no profile is left over', () => {
  assert.deepEqual(FUNCTION_PROFILES.map((profile) => profile.name).sort(), Object.keys(HANDLERS).sort());
  assert.deepEqual(Object.keys(HANDLER_RULES).sort(), Object.keys(HANDLERS).sort());
});

for (const handler of Object.keys(HANDLERS)) {
  test(`${handler}: the ClusterRole grants exactly what its code calls through the adapters`, () => {
    const calls = adapterCalls(handler);
    assert.ok(calls.size > 0, `${handler} calls the Kubernetes adapter`);
    const needed = new Set<string>();
    for (const call of calls) {
      const permissions = ADAPTER_PERMISSIONS[call];
      assert.ok(permissions, `adapter function ${call} (called by ${handler}) has a row in ADAPTER_PERMISSIONS`);
      for (const line of lines(permissions)) needed.add(line);
    }
    const granted = ruleLines(clusterRoleRules(serviceName(handler)));
    assert.deepEqual([...needed].filter((line) => !granted.has(line)).sort(), [], 'called but not granted');
    assert.deepEqual([...granted].filter((line) => !needed.has(line)).sort(), [], 'granted but never called');
  });
}

test('each function and each source runs under its own ServiceAccount bound to its own ClusterRole', () => {
  const names = [...Object.keys(HANDLERS).map(serviceName), ...SOURCE_WATCHES.map(sourceAccountName)];
  for (const name of names) {
    const binding = objects.find((object) => object.kind === 'ClusterRoleBinding' && object.metadata.name === name);
    assert.equal(binding?.roleRef?.name, name);
    assert.deepEqual(binding.subjects?.map((subject) => subject.name), [name]);
    assert.ok(objects.some((object) => object.kind === 'ServiceAccount' && object.metadata.name === name));
  }
  const services = objects.filter((object) => object.kind === 'Service') as unknown as { metadata: { name: string }; spec: { template: { spec: { serviceAccountName?: string } } } }[];
  for (const handler of Object.keys(HANDLERS)) {
    const service = services.find((object) => object.metadata.name === serviceName(handler));
    assert.equal(service?.spec.template.spec.serviceAccountName, serviceName(handler));
  }
});

test('an ApiServerSource may only get, list and watch its own resource (and find the namespaces it watches)', () => {
  for (const watch of SOURCE_WATCHES) {
    assert.deepEqual([...ruleLines(clusterRoleRules(sourceAccountName(watch)))].sort(), [
      `get /namespaces`, `get ${watch.group}/${watch.plural}`, `list /namespaces`, `list ${watch.group}/${watch.plural}`, `watch /namespaces`, `watch ${watch.group}/${watch.plural}`,
    ].sort());
  }
});

test('no rule grants a wildcard, delete, or access to roles', () => {
  for (const object of objects.filter((candidate) => candidate.kind === 'ClusterRole')) {
    for (const line of ruleLines(object.rules ?? [])) {
      assert.doesNotMatch(line, /\*|^delete |^escalate |^bind |rbac\.authorization/, `${object.metadata.name}: ${line}`);
    }
  }
});
