/**
 * Local folders for a Pod's volumes: a PersistentVolumeClaim is `<dataDir>/volumes/<namespace>/<claim>`
 * (it outlives the Pod), an emptyDir is a temp folder, and a ConfigMap or Secret volume is
 * a temp folder with one file per key. Unsupported volume types fail the Pod.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { ContainerConfigError } from './container-env.ts';
import type { JobExecutorKube, KeyedData } from './kube.ts';
import { rewritePaths, type LocalMount } from './pod-spec.ts';

/** PreparedVolumes are the container's mounts and the cleanup of the temp folders. */
export interface PreparedVolumes {
  mounts: LocalMount[];
  /** cleanup removes the Pod's temp folders (emptyDir, ConfigMap, Secret); claims stay. */
  cleanup(): Promise<void>;
}

/** claimFolder is the local folder of a PersistentVolumeClaim (pure). */
export function claimFolder(dataDir: string, namespace: string, claim: string): string {
  return path.join(dataDir, 'volumes', namespace, claim);
}

interface PendingFiles {
  folder: string;
  data: KeyedData;
  items: readonly { key: string; path: string }[] | undefined;
}

// Files are written once every mount is known, so that container paths inside them (a
// plan file) can be rewritten to the local folders.
async function writeKeys(pending: PendingFiles, mounts: readonly LocalMount[]): Promise<void> {
  const { folder, data, items } = pending;
  const entries = items && items.length > 0 ? items.map((item) => [item.path, data[item.key]] as const) : Object.entries(data);
  for (const [file, value] of entries) {
    if (value === undefined) continue;
    const target = path.join(folder, file);
    if (!target.startsWith(`${folder}${path.sep}`)) throw new ContainerConfigError(`volume item path must stay inside the volume; got ${JSON.stringify(file)}`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, rewritePaths(value, mounts));
  }
}

async function volumeFolder(volume: V1Volume, pod: V1Pod, dataDir: string, kube: JobExecutorKube, temporary: string[], files: PendingFiles[]): Promise<string> {
  const namespace = pod.metadata?.namespace ?? 'default';
  if (volume.persistentVolumeClaim) {
    const folder = claimFolder(dataDir, namespace, volume.persistentVolumeClaim.claimName);
    await fs.mkdir(folder, { recursive: true });
    return folder;
  }
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), `fm-vol-${volume.name}-`));
  temporary.push(folder);
  if (volume.emptyDir) return folder;
  if (volume.configMap || volume.secret) {
    const source = volume.secret ? 'Secret' : 'ConfigMap';
    const name = volume.secret ? volume.secret.secretName ?? '' : volume.configMap?.name ?? '';
    const optional = (volume.secret ?? volume.configMap)?.optional ?? false;
    const data = source === 'Secret' ? await kube.readSecretData(namespace, name) : await kube.readConfigMapData(namespace, name);
    if (!data) {
      if (optional) return folder;
      throw new ContainerConfigError(`${source.toLowerCase()} "${name}" not found`);
    }
    files.push({ folder, data, items: (volume.secret ?? volume.configMap)?.items });
    return folder;
  }
  throw new ContainerConfigError(`volume "${volume.name}": the local job executor supports persistentVolumeClaim, emptyDir, configMap and secret volumes`);
}

/**
 * prepareVolumes creates the local folders of the volumes the container mounts and
 * returns its mounts (side effects: folders and files; throws ContainerConfigError).
 */
export async function prepareVolumes(pod: V1Pod, container: V1Container, dataDir: string, kube: JobExecutorKube): Promise<PreparedVolumes> {
  const temporary: string[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(temporary.map((folder) => fs.rm(folder, { recursive: true, force: true })));
  };
  try {
    const folders = new Map<string, string>();
    const mounts: LocalMount[] = [];
    const files: PendingFiles[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const volume = (pod.spec?.volumes ?? []).find((entry) => entry.name === mount.name);
      if (!volume) throw new ContainerConfigError(`volumeMount "${mount.name}": no volume of that name in the Pod`);
      let folder = folders.get(volume.name);
      if (!folder) {
        folder = await volumeFolder(volume, pod, dataDir, kube, temporary, files);
        folders.set(volume.name, folder);
      }
      const localPath = mount.subPath ? path.join(folder, mount.subPath) : folder;
      // A subPath of a ConfigMap or Secret volume names one of its files, written below.
      const holdsFiles = Boolean(volume.configMap ?? volume.secret);
      if (mount.subPath && !holdsFiles && !(await fs.stat(localPath).catch(() => undefined))) await fs.mkdir(localPath, { recursive: true });
      mounts.push({ mountPath: mount.mountPath, localPath, readOnly: mount.readOnly ?? false });
    }
    for (const pending of files) await writeKeys(pending, mounts);
    return { mounts, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
