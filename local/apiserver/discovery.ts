/**
 * Discovery documents: /version, /api, /apis, /api/v1 and /apis/<group>/<version>. Only the
 * plain (unaggregated) forms are served; clients asking for aggregated discovery also
 * accept these and fall back to them (pure).
 */
import type { Registry, ServedResource } from './registry.ts';
import type { JsonObject } from './types.ts';

/** SERVER_VERSION is what /version reports: the Kubernetes minor this server imitates. */
export const SERVER_VERSION: JsonObject = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-featherman', gitCommit: 'featherman-local', gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64',
};

/** buildApiVersions is the /api document. */
export function buildApiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** buildApiGroupList is the /apis document. */
export function buildApiGroupList(registry: Registry): JsonObject {
  const groups = registry.groupVersions().map(({ group, versions }) => {
    const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { name: group, versions: entries, preferredVersion: entries[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** buildApiGroup is the /apis/<group> document, or undefined for an unknown group. */
export function buildApiGroup(registry: Registry, group: string): JsonObject | undefined {
  const found = registry.groupVersions().find((entry) => entry.group === group);
  if (!found) return undefined;
  const entries = found.versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: entries, preferredVersion: entries[0] };
}

function resourceEntries(served: ServedResource): JsonObject[] {
  const { descriptor } = served;
  const main: JsonObject = {
    name: descriptor.plural,
    singularName: descriptor.singular,
    namespaced: descriptor.namespaced,
    kind: descriptor.kind,
    verbs: descriptor.verbs,
  };
  if (descriptor.shortNames.length > 0) main.shortNames = descriptor.shortNames;
  if (descriptor.categories.length > 0) main.categories = descriptor.categories;
  const entries = [main];
  if (descriptor.subresources.status) {
    entries.push({ name: `${descriptor.plural}/status`, singularName: '', namespaced: descriptor.namespaced, kind: descriptor.kind, verbs: ['get', 'patch', 'update'] });
  }
  return entries;
}

/** buildApiResourceList is the /api/v1 or /apis/<group>/<version> document, or undefined when nothing is served there. */
export function buildApiResourceList(registry: Registry, group: string, version: string): JsonObject | undefined {
  const served = registry.all().filter((entry) => entry.descriptor.group === group && entry.descriptor.version === version);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: served.flatMap(resourceEntries),
  };
}
