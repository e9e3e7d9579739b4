/**
 * DeploySettings: everything a platform engineer chooses when installing Featherman.
 * They are the Helm chart's values and the kustomize base's inputs: the chart's
 * values.yaml is DEFAULT_SETTINGS written out, so the two cannot disagree.
 */
import { z } from 'zod';

const resources = z.strictObject({
  requests: z.record(z.string(), z.string()),
  limits: z.record(z.string(), z.string()),
});

const nonEmpty = z.string().min(1);

/** DeploySettingsSchema validates a values file (strict: an unknown key is an error). */
export const DeploySettingsSchema = z.strictObject({
  namespace: nonEmpty,
  createNamespace: z.boolean(),
  images: z.strictObject({ functions: nonEmpty, runner: nonEmpty, deadLetter: nonEmpty }),
  sweep: z.strictObject({ schedule: nonEmpty, timezone: nonEmpty }),
  functions: z.strictObject({ resources, maxScale: z.string().regex(/^[0-9]+$/) }),
  admission: z.strictObject({ caSecret: nonEmpty }),
  networkPolicy: z.strictObject({ apiServerCidr: nonEmpty, ingressNamespace: nonEmpty }),
  metrics: z.strictObject({ scrape: z.boolean(), namespace: nonEmpty }),
  s3: z.strictObject({
    webhookTokenSecret: nonEmpty,
    sqs: z.strictObject({ enabled: z.boolean(), queueArn: nonEmpty, region: nonEmpty, credentialsSecret: nonEmpty }),
  }),
});

/** DeploySettings are the validated install choices. */
export type DeploySettings = z.infer<typeof DeploySettingsSchema>;

/** DEFAULT_SETTINGS are the chart's default values and the committed kustomize base's inputs. */
export const DEFAULT_SETTINGS: DeploySettings = {
  namespace: 'featherman-system',
  // createNamespace: false when the namespace exists already (Helm refuses to adopt a Namespace it did not create).
  createNamespace: true,
  images: {
    functions: 'ghcr.io/featherman/featherman-functions:0.1.0',
    runner: 'ghcr.io/featherman/featherman-runner:0.1.0',
    // event_display logs every event it receives: the dead-letter sink's log is where failed events are kept.
    deadLetter: 'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display@sha256:610234e4319b767b187398085971d881956da660a4e0fab65a763e0f81881d82',
  },
  sweep: { schedule: '*/5 * * * *', timezone: 'UTC' },
  functions: {
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    maxScale: '10',
  },
  admission: { caSecret: 'cert-manager/knative-selfsigned-ca' },
  networkPolicy: { apiServerCidr: '172.18.0.0/16', ingressNamespace: 'kourier-system' },
  // scrape: let Prometheus in that namespace reach the functions' /metrics port (off: only the broker and the API server get in).
  metrics: { scrape: false, namespace: 'monitoring' },
  s3: {
    webhookTokenSecret: 'featherman-s3-webhook',
    sqs: { enabled: false, queueArn: 'arn:aws:sqs:us-east-1:000000000000:featherman-landing', region: 'us-east-1', credentialsSecret: 'featherman-sqs' },
  },
};

/** YAML_BLOCKS are the settings inserted as whole YAML blocks (toYaml in the chart), not as scalars. */
export const YAML_BLOCKS: readonly string[] = ['functions.resources'];

/** CONDITIONS are the boolean settings that include or leave out whole manifests. */
export const CONDITIONS = ['createNamespace', 's3.sqs.enabled', 'metrics.scrape'] as const;

/** Condition names one boolean setting that gates a manifest. */
export type Condition = (typeof CONDITIONS)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
  return out;
}

/** parseSettings merges overrides onto the defaults and validates them; throws one message per bad field (pure). */
export function parseSettings(overrides: unknown = {}): DeploySettings {
  const result = DeploySettingsSchema.safeParse(merge(DEFAULT_SETTINGS, overrides));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(values)'}: ${issue.message}`);
  throw new Error(`invalid values: ${lines.join('; ')}`);
}

/** settingAt reads the setting at a dotted path (pure; undefined when absent). */
export function settingAt(settings: unknown, path: string): unknown {
  let current: unknown = settings;
  for (const part of path.split('.')) current = isRecord(current) ? current[part] : undefined;
  return current;
}
