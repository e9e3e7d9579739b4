/**
 * A container's environment, resolved the way the kubelet does it: plain values with
 * `$(VAR)` references, `valueFrom` secretKeyRef / configMapKeyRef / fieldRef, and `envFrom`.
 * A missing Secret, ConfigMap or key that is not optional is a ContainerConfigError with
 * the kubelet's message.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { JobExecutorKube, KeyedData } from './kube.ts';

/** ContainerConfigError is the kubelet's CreateContainerConfigError: the container cannot be configured. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

type Source = 'Secret' | 'ConfigMap';

class SourceCache {
  private readonly cache = new Map<string, Promise<KeyedData | undefined>>();

  constructor(private readonly kube: JobExecutorKube, private readonly namespace: string) {}

  read(source: Source, name: string): Promise<KeyedData | undefined> {
    const key = `${source}/${name}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = source === 'Secret' ? this.kube.readSecretData(this.namespace, name) : this.kube.readConfigMapData(this.namespace, name);
      this.cache.set(key, pending);
    }
    return pending;
  }

  async key(source: Source, name: string, key: string, optional: boolean): Promise<string | undefined> {
    const data = await this.read(source, name);
    if (!data) {
      if (optional) return undefined;
      throw new ContainerConfigError(`${source.toLowerCase()} "${name}" not found`);
    }
    const value = data[key];
    if (value === undefined && !optional) throw new ContainerConfigError(`couldn't find key ${key} in ${source} ${this.namespace}/${name}`);
    return value;
  }
}

/** expandReferences replaces `$(NAME)` with earlier variables and `$$` with `$`, as the kubelet does (pure). */
export function expandReferences(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}

function fieldValue(pod: V1Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label?.[1]) return meta.labels?.[label[1]] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotation?.[1]) return meta.annotations?.[annotation[1]] ?? '';
  const fields: Record<string, string> = {
    'metadata.name': meta.name ?? '',
    'metadata.namespace': meta.namespace ?? '',
    'metadata.uid': meta.uid ?? '',
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? 'default',
    'status.hostIP': '127.0.0.1',
    'status.podIP': '127.0.0.1',
  };
  return fields[fieldPath] ?? '';
}

/**
 * resolveContainerEnv returns the container's variables (side effects: reads Secrets and
 * ConfigMaps; throws ContainerConfigError for a missing one or a missing key).
 */
export async function resolveContainerEnv(kube: JobExecutorKube, pod: V1Pod, container: V1Container): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const sources = new SourceCache(kube, namespace);
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref?.name) continue;
    const source: Source = from.secretRef ? 'Secret' : 'ConfigMap';
    const data = await sources.read(source, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${source.toLowerCase()} "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (!from) value = expandReferences(variable.value ?? '', env);
    else if (from.secretKeyRef) value = await sources.key('Secret', from.secretKeyRef.name ?? '', from.secretKeyRef.key, from.secretKeyRef.optional ?? false);
    else if (from.configMapKeyRef) value = await sources.key('ConfigMap', from.configMapKeyRef.name ?? '', from.configMapKeyRef.key, from.configMapKeyRef.optional ?? false);
    else if (from.fieldRef) value = fieldValue(pod, from.fieldRef.fieldPath);
    else value = '';
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}
