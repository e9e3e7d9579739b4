/**
 * The local volume provisioner: every PersistentVolumeClaim is bound at once to a folder
 * `<dataDir>/volumes/<namespace>/<claim>` (status Bound, capacity = the request), and the
 * folder is removed when the claim is deleted, like a default StorageClass with reclaim
 * policy Delete.
 */
import fs from 'node:fs/promises';
import type { KubeConfig, KubernetesObject, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Logger } from '../../runner/log.ts';
import { ResourceWatcher, type WatchEventType } from '../event-router/resource-watcher.ts';
import { JobExecutorKube } from './kube.ts';
import { claimFolder } from './volumes.ts';

/** boundClaimStatus is the status of a bound claim: phase, access modes and capacity (pure). */
export function boundClaimStatus(claim: V1PersistentVolumeClaim): Record<string, unknown> {
  return {
    phase: 'Bound',
    accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
    capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
  };
}

/** VolumeBinder binds claims until stop(). */
export class VolumeBinder {
  private readonly watcher: ResourceWatcher;
  private readonly kube: JobExecutorKube;

  constructor(kubeConfig: KubeConfig, private readonly dataDir: string, private readonly logger: Logger) {
    this.kube = new JobExecutorKube(kubeConfig);
    this.watcher = new ResourceWatcher(
      kubeConfig,
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
      { onEvent: (type, object) => this.observe(type, object), onList: (objects) => objects.forEach((object) => this.observe('ADDED', object)) },
      logger,
    );
  }

  /** start begins watching claims (side effects: folders, status writes). */
  start(): Promise<void> {
    return this.watcher.start();
  }

  /** stop ends the watch. */
  stop(): void {
    this.watcher.stop();
  }

  private observe(type: WatchEventType, object: KubernetesObject): void {
    const claim = object as V1PersistentVolumeClaim;
    const namespace = claim.metadata?.namespace ?? 'default';
    const name = claim.metadata?.name ?? '';
    const folder = claimFolder(this.dataDir, namespace, name);
    const work = type === 'DELETED'
      ? fs.rm(folder, { recursive: true, force: true }).then(() => this.logger.info({ claim: `${namespace}/${name}` }, 'claim deleted; its folder removed'))
      : claim.status?.phase === 'Bound' || claim.metadata?.deletionTimestamp
        ? Promise.resolve()
        : fs.mkdir(folder, { recursive: true })
          .then(() => this.kube.patchClaimStatus(namespace, name, boundClaimStatus(claim)))
          .then(() => this.logger.info({ claim: `${namespace}/${name}`, folder }, 'claim bound to a local folder'));
    work.catch((error: unknown) => this.logger.warn({ claim: `${namespace}/${name}`, err: error }, 'binding the claim failed'));
  }
}
