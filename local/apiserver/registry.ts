/**
 * The registry of served resources: the built-in kinds plus one entry per served version
 * of every established CRD. Routing, discovery, OpenAPI and tables read it.
 */
import { BUILTIN_KINDS } from './builtin-kinds.ts';
import { coreEventToStorage, eventFromCore, eventToCore } from './event-convert.ts';
import type { JsonObject, ResourceDescriptor } from './types.ts';

/** ServedResource is a descriptor plus how the server stores and treats it. */
export interface ServedResource {
  descriptor: ResourceDescriptor;
  /** apiVersion is `group/version`, or `v1` for the core group. */
  apiVersion: string;
  /** storageKey names the storage bucket (`group/plural`); versions of one resource share it. */
  storageKey: string;
  tracksGeneration: boolean;
  /** fields are the accepted top-level fields of a built-in kind (undefined for CRDs: the schema decides). */
  fields?: string[];
  initialStatus?: JsonObject;
  /** crdName is the CRD that defines this resource, when it comes from one. */
  crdName?: string;
  toStorage(object: JsonObject): JsonObject;
  fromStorage(object: JsonObject): JsonObject;
}

/** apiVersionOf renders the apiVersion of a group and version. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function withApiVersion(apiVersion: string): (object: JsonObject) => JsonObject {
  return (object) => ({ ...object, apiVersion });
}

/** servedFromDescriptor wraps a descriptor whose versions all share `group/plural` storage. */
export function servedFromDescriptor(descriptor: ResourceDescriptor, crdName?: string): ServedResource {
  const apiVersion = apiVersionOf(descriptor.group, descriptor.version);
  return {
    descriptor, apiVersion,
    storageKey: `${descriptor.group}/${descriptor.plural}`,
    tracksGeneration: true,
    crdName,
    toStorage: withApiVersion(apiVersion),
    fromStorage: withApiVersion(apiVersion),
  };
}

function builtinServed(): ServedResource[] {
  return BUILTIN_KINDS.map((kind) => {
    const { descriptor } = kind;
    const apiVersion = apiVersionOf(descriptor.group, descriptor.version);
    const isEventsV1 = descriptor.group === 'events.k8s.io';
    const isCoreEvent = descriptor.group === '' && descriptor.plural === 'events';
    return {
      descriptor, apiVersion,
      storageKey: kind.storageKey ?? `${descriptor.group}/${descriptor.plural}`,
      tracksGeneration: kind.tracksGeneration,
      fields: kind.fields,
      initialStatus: kind.initialStatus,
      toStorage: isEventsV1 ? eventToCore : isCoreEvent ? coreEventToStorage : withApiVersion(apiVersion),
      fromStorage: isEventsV1 ? eventFromCore : withApiVersion(apiVersion),
    };
  });
}

/** Registry holds the served resources; CRD changes replace a CRD's entries (side effect on the registry only). */
export class Registry {
  private readonly builtins: ServedResource[] = builtinServed();
  private readonly fromCrds = new Map<string, ServedResource[]>();

  /** all lists every served resource, built-ins first. */
  all(): ServedResource[] {
    return [...this.builtins, ...[...this.fromCrds.values()].flat()];
  }

  /** find returns the resource served at group/version/plural. */
  find(group: string, version: string, plural: string): ServedResource | undefined {
    return this.all().find((served) => served.descriptor.group === group && served.descriptor.version === version && served.descriptor.plural === plural);
  }

  /** findKind returns the resource of an apiVersion and kind (for owner references and webhooks). */
  findKind(apiVersion: string, kind: string): ServedResource | undefined {
    return this.all().find((served) => served.apiVersion === apiVersion && served.descriptor.kind === kind);
  }

  /** byStorageKey returns the resources sharing a storage bucket, the preferred one first. */
  byStorageKey(storageKey: string): ServedResource[] {
    return this.all().filter((served) => served.storageKey === storageKey);
  }

  /** setCrd replaces the resources a CRD defines (an empty list removes them). */
  setCrd(crdName: string, resources: ServedResource[]): void {
    if (resources.length === 0) this.fromCrds.delete(crdName);
    else this.fromCrds.set(crdName, resources);
  }

  /** groupVersions lists the served group versions in discovery order (legacy core excluded). */
  groupVersions(): Array<{ group: string; versions: string[] }> {
    const groups = new Map<string, string[]>();
    for (const served of this.all()) {
      const { group, version } = served.descriptor;
      if (!group) continue;
      const versions = groups.get(group) ?? [];
      if (!versions.includes(version)) versions.push(version);
      groups.set(group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }
}
