/**
 * The kubeconfig that points kubectl and client libraries at the local server: plain http
 * on loopback, one cluster, one context, one user without credentials.
 */
import fs from 'node:fs';
import { stringify } from 'yaml';

/** KUBECONFIG_CONTEXT names the cluster, user and context of the written kubeconfig. */
export const KUBECONFIG_CONTEXT = 'featherman-local';

/**
 * buildKubeconfig returns the kubeconfig document for a server URL (pure). The cluster sets
 * `insecure-skip-tls-verify` although the server speaks plain http: @kubernetes/client-node
 * 1.x refuses an http server without it ("HTTP protocol is not allowed when skipTLSVerify
 * is not set"); kubectl ignores it for http.
 */
export function buildKubeconfig(url: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: KUBECONFIG_CONTEXT, user: {} }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: KUBECONFIG_CONTEXT, namespace } }],
    'current-context': KUBECONFIG_CONTEXT,
    preferences: {},
  });
}

/** writeKubeconfig writes the kubeconfig to a file readable only by its owner (side effect). */
export function writeKubeconfig(filePath: string, url: string): void {
  fs.writeFileSync(filePath, buildKubeconfig(url), { mode: 0o600 });
}
