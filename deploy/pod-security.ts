/**
 * restrictedViolations: checks a pod spec against the Pod Security Standards "restricted"
 * profile (baseline included), as the PodSecurity admission plugin of Kubernetes 1.29–1.32
 * applies it, so that the Jobs and Services Featherman creates run in a namespace
 * labelled `pod-security.kubernetes.io/enforce: restricted`. Pure.
 */

type Json = Record<string, unknown>;

const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

function containerViolations(container: Json, pod: Json, podSc: Json): string[] {
  const name = String(container.name ?? '(unnamed)');
  const sc = obj(container.securityContext);
  const out: string[] = [];
  if (sc.privileged === true) out.push(`${name}: privileged`);
  if (sc.allowPrivilegeEscalation !== false) out.push(`${name}: allowPrivilegeEscalation must be false`);
  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (nonRoot !== true) out.push(`${name}: runAsNonRoot must be true`);
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${name}: runAsUser must not be 0`);
  const seccomp = obj(sc.seccompProfile).type ?? obj(podSc.seccompProfile).type;
  if (!SECCOMP_OK.has(String(seccomp))) out.push(`${name}: seccompProfile.type must be RuntimeDefault or Localhost`);
  const capabilities = obj(sc.capabilities);
  if (!list(capabilities.drop).includes('ALL')) out.push(`${name}: capabilities.drop must include ALL`);
  for (const added of list(capabilities.add)) if (added !== 'NET_BIND_SERVICE') out.push(`${name}: capability ${String(added)} may not be added`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${name}: procMount must be Default`);
  const seLinuxType = obj(sc.seLinuxOptions).type;
  if (seLinuxType !== undefined && !['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(String(seLinuxType))) out.push(`${name}: seLinuxOptions.type`);
  for (const port of list(container.ports)) if (obj(port).hostPort !== undefined && obj(port).hostPort !== 0) out.push(`${name}: hostPort`);
  if (pod.hostNetwork === true) out.push(`${name}: host network`);
  return out;
}

/** restrictedViolations lists what PodSecurity "restricted" would refuse in the pod spec (pure; [] = admitted). */
export function restrictedViolations(podSpec: unknown): string[] {
  const pod = obj(podSpec);
  const podSc = obj(pod.securityContext);
  const out: string[] = [];
  if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true) out.push('host namespaces are not allowed');
  for (const volume of list(pod.volumes)) {
    const types = Object.keys(obj(volume)).filter((key) => key !== 'name');
    for (const type of types) if (!RESTRICTED_VOLUMES.has(type)) out.push(`volume ${String(obj(volume).name)}: type ${type} is not allowed`);
  }
  if (podSc.runAsUser === 0) out.push('pod runAsUser must not be 0');
  const podSeccomp = obj(podSc.seccompProfile).type;
  if (podSeccomp !== undefined && !SECCOMP_OK.has(String(podSeccomp))) out.push('pod seccompProfile.type must be RuntimeDefault or Localhost');
  for (const sysctl of list(podSc.sysctls)) if (!SAFE_SYSCTLS.has(String(obj(sysctl).name))) out.push(`sysctl ${String(obj(sysctl).name)} is not allowed`);
  const containers = [...list(pod.initContainers), ...list(pod.containers), ...list(pod.ephemeralContainers)].map(obj);
  for (const container of containers) out.push(...containerViolations(container, pod, podSc));
  return out;
}
