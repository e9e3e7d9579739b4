/**
 * The runner pod template a catalog's spec.podTemplate.configMapRef names: the ConfigMap
 * holds it under the key `template`, as YAML or JSON, in the shape of a PodTemplateSpec
 * (`metadata.labels`, `metadata.annotations`, `spec` with nodeSelector, tolerations,
 * affinity, containers by name, …). specs/job.ts lays it over the runner pod and applies
 * the hardening again after it. Pure.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues, issue, messageOf } from '../../api/issues.ts';
import type { PodOverrides } from '../specs/pod-overrides.ts';

/** POD_TEMPLATE_KEY is the ConfigMap key that holds the runner pod template. */
export const POD_TEMPLATE_KEY = 'template';

const NamedList = z.array(z.looseObject({ name: z.string().min(1) }));

// Kubernetes' own rules for label and annotation keys, label values and object names, so
// a template that breaks one is refused here rather than by the API server on every Job.
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** isQualifiedName says whether text is a Kubernetes label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of ≤ 63 characters (pure). */
export function isQualifiedName(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return NAME_PART.test(text);
  return DNS_SUBDOMAIN.test(text.slice(0, slash)) && NAME_PART.test(text.slice(slash + 1));
}

const QUALIFIED_RULE = 'must be a Kubernetes qualified name ([prefix/]name, name ≤ 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric)';
const LabelValue = z.string().regex(LABEL_VALUE, 'must be a Kubernetes label value (≤ 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric, or empty)');

/** keyedBy is a record of `value` whose keys must be qualified names, each bad key an issue at its own path with the key as the value. */
function keyedBy(value: z.ZodType<string>) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (!isQualifiedName(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${QUALIFIED_RULE}; got the key ${JSON.stringify(key)}` });
    }
  });
}
const Labels = keyedBy(LabelValue);

const PodTemplate = z.strictObject({
  metadata: z.strictObject({ labels: Labels.optional(), annotations: keyedBy(z.string()).optional() }).optional(),
  // The fields users set most are checked here, so a mistake reads as a rule rather than
  // as the API server refusing every runner Job; the rest is left to the API server.
  spec: z.looseObject({
    containers: NamedList.optional(),
    initContainers: NamedList.optional(),
    volumes: NamedList.optional(),
    imagePullSecrets: NamedList.optional(),
    nodeSelector: Labels.optional(),
    tolerations: z.array(z.looseObject({})).optional(),
    affinity: z.looseObject({}).optional(),
    priorityClassName: z.string().regex(DNS_SUBDOMAIN, 'must be a DNS subdomain name (lower-case a-z 0-9 - ., ≤ 253)').optional(),
  }).optional(),
});

/** PodTemplateResult is the parsed overrides, or the one-sentence reason they cannot be used. */
export type PodTemplateResult = { ok: true; value: PodOverrides } | { ok: false; message: string };

/**
 * validatePodTemplate checks the data of the ConfigMap `namespace/name` (undefined when the
 * ConfigMap does not exist) and returns the overrides, or a message naming the ConfigMap,
 * the key and the rule broken (pure).
 */
export function validatePodTemplate(namespace: string, name: string, data: Record<string, string> | undefined): PodTemplateResult {
  const where = `The runner pod template ConfigMap ${namespace}/${name} (spec.podTemplate.configMapRef)`;
  if (data === undefined) return { ok: false, message: `${where} does not exist; create it with the key "${POD_TEMPLATE_KEY}" or remove spec.podTemplate.` };
  const text = data[POD_TEMPLATE_KEY];
  if (text === undefined) {
    const keys = Object.keys(data);
    return { ok: false, message: `${where} has no key "${POD_TEMPLATE_KEY}"; put the pod template (YAML or JSON) under data.${POD_TEMPLATE_KEY}${keys.length > 0 ? `; it has ${keys.map((key) => JSON.stringify(key)).join(', ')}` : ''}.` };
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    return { ok: false, message: `${where}, key "${POD_TEMPLATE_KEY}": must be YAML or JSON; ${reason.replace(/[.:]+$/, '')}.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `${where}, key "${POD_TEMPLATE_KEY}": ${messageOf([issue(['template'], 'must be a pod template object with metadata and spec', value)])}` };
  }
  const parsed = PodTemplate.safeParse(value);
  if (!parsed.success) return { ok: false, message: `${where}, key "${POD_TEMPLATE_KEY}": ${messageOf(formatIssues(parsed.error.issues, value, [], 'template'))}` };
  return { ok: true, value: value as PodOverrides };
}
