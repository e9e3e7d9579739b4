/**
 * What the local demo needs to talk to local mode as a user would: the real kubectl when it
 * is on PATH (client-node otherwise), reads of Featherman resources, and polling with a
 * deadline that reports what it last observed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { LocalMode } from '../local/up.ts';

/** MANIFEST_ENDPOINT is the S3 endpoint the example manifests name. */
export const MANIFEST_ENDPOINT = 'http://127.0.0.1:9000';

/** DemoStatus is the part of a Featherman resource's status the demo reads. */
export type DemoStatus = {
  phase?: string;
  rowCount?: number;
  rows?: number;
  preview?: string;
  lastAppliedSnapshot?: number;
  snapshotId?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
};

/** findKubectl returns the kubectl on PATH, or undefined (no side effects). */
export function findKubectl(): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, 'kubectl');
    if (folder && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** manifestsText joins a folder's manifests, pointed at this run's S3 endpoint (reads files). */
function manifestsText(folder: string, endpoint: string): string {
  return fs.readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort()
    .map((name) => fs.readFileSync(path.join(folder, name), 'utf8').replaceAll(MANIFEST_ENDPOINT, endpoint))
    .join('\n---\n');
}

/** describeStatus renders a resource's phase and conditions in one line (pure). */
export function describeStatus(object: Record<string, unknown>): string {
  const status = (object.status ?? {}) as DemoStatus;
  const conditions = (status.conditions ?? []).map((condition) => `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason}: ${condition.message ?? ''})` : ''}`);
  return `phase=${status.phase ?? '-'} ${conditions.join(', ') || 'no conditions'}`;
}

/** waitUntil polls check every 500 ms until it returns a value, or fails after timeoutSeconds with what observe reports. */
export async function waitUntil<T>(what: string, timeoutSeconds: number, check: () => Promise<T | undefined>, observe: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const found = await check().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutSeconds} s waiting for ${what}; observed: ${await observe().catch((error: unknown) => (error as Error).message)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** DemoCluster is local mode seen from outside: kubectl commands and resource reads. */
export class DemoCluster {
  constructor(private readonly local: LocalMode, private readonly kubectlPath: string | undefined) {}

  /** kubectl runs the real kubectl against local mode and returns its output. */
  kubectl(args: string[], input?: string): Promise<string> {
    const binary = this.kubectlPath;
    if (!binary) return Promise.reject(new Error(`kubectl is not on PATH (wanted: kubectl ${args.join(' ')})`));
    return new Promise((resolve, reject) => {
      const child = execFile(binary, ['--kubeconfig', this.local.kubeconfigPath, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** apply applies a folder's manifests with kubectl, or with client-node when kubectl is missing. */
  async apply(folder: string): Promise<string> {
    const endpoint = this.local.s3Endpoint.replace('localhost', '127.0.0.1');
    if (this.kubectlPath && endpoint === MANIFEST_ENDPOINT) return this.kubectl(['apply', '-f', folder]);
    return this.applyText(manifestsText(folder, endpoint));
  }

  /** applyText applies manifests given as YAML text (kubectl apply -f -, or client-node server-side apply). */
  async applyText(text: string): Promise<string> {
    if (this.kubectlPath) return this.kubectl(['apply', '-f', '-'], text);
    const api = KubernetesObjectApi.makeApiClient(this.config());
    const lines: string[] = [];
    for (const document of parseAllDocuments(text)) {
      const object = document.toJSON() as KubernetesObject | null;
      if (!object?.kind) continue;
      await api.patch(object, undefined, undefined, 'featherman-demo', true, 'application/apply-patch+yaml');
      lines.push(`${object.kind.toLowerCase()}/${object.metadata?.name ?? ''} applied`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** get reads one Featherman resource (`Kind/name` in namespace default) as JSON through the API. */
  async get(resource: string): Promise<Record<string, unknown>> {
    const [kind, name] = resource.split('/') as [string, string];
    const api = KubernetesObjectApi.makeApiClient(this.config());
    const object = await api.read({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind, metadata: { name, namespace: 'default' } });
    return object as unknown as Record<string, unknown>;
  }

  /** status reads one resource's status. */
  async status(resource: string): Promise<DemoStatus> {
    return ((await this.get(resource)).status ?? {}) as DemoStatus;
  }

  private config(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromFile(this.local.kubeconfigPath);
    return config;
  }
}
