/**
 * buildServices: one Knative Service per function (same image, FEATHERMAN_HANDLER picks
 * the function served on `/`), plus the dead-letter Service that logs failed events.
 */
import { FUNCTION_PROFILES, serviceName, type FunctionProfile } from './handlers.ts';
import { DEAD_LETTER, labelsFor, type Manifest } from './manifest.ts';
import type { DeploySettings } from './settings.ts';
import { FUNCTIONS_RUNTIME_ENV } from '../functions/runtime-env.ts';

/** WEBHOOK_TOKEN_KEY is the key of the Secret that holds the S3 webhook token. */
export const WEBHOOK_TOKEN_KEY = 'token';

const SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function env(profile: FunctionProfile, settings: DeploySettings): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [
    { name: 'FEATHERMAN_HANDLER', value: profile.name },
    { name: 'FEATHERMAN_RUNNER_IMAGE', value: settings.images.runner },
    { name: 'LOG_LEVEL', value: 'info' },
    // The image sets these too; naming them here keeps them when the image is overridden.
    ...Object.entries(FUNCTIONS_RUNTIME_ENV).map(([name, value]) => ({ name, value })),
  ];
  // s3-object always needs the token: without it the function would accept unauthenticated posts.
  if (profile.name === 's3-object') {
    list.push({ name: 'FEATHERMAN_S3_WEBHOOK_TOKEN', valueFrom: { secretKeyRef: { name: settings.s3.webhookTokenSecret, key: WEBHOOK_TOKEN_KEY } } });
  }
  return list;
}

function functionService(profile: FunctionProfile, settings: DeploySettings): Manifest {
  const name = serviceName(profile.name);
  return {
    file: `services/${profile.name}.yaml`,
    object: {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: settings.namespace,
        // cluster-local: only in-cluster callers (the Broker, the API server, MinIO) reach it.
        labels: { ...labelsFor(profile.name), 'networking.knative.dev/visibility': 'cluster-local' },
      },
      spec: {
        template: {
          metadata: {
            labels: labelsFor(profile.name),
            annotations: {
              'autoscaling.knative.dev/min-scale': String(profile.minScale),
              'autoscaling.knative.dev/max-scale': settings.functions.maxScale,
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': '8080',
              'prometheus.io/path': '/metrics',
            },
          },
          spec: {
            serviceAccountName: name,
            containerConcurrency: profile.concurrency,
            timeoutSeconds: profile.timeoutSeconds,
            containers: [
              {
                name: 'functions',
                image: settings.images.functions,
                ports: [{ containerPort: 8080 }],
                env: env(profile, settings),
                resources: settings.functions.resources,
                readinessProbe: { httpGet: { path: '/healthz' } },
                securityContext: SECURITY,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
          },
        },
      },
    },
  };
}

function deadLetterService(settings: DeploySettings): Manifest {
  return {
    file: 'services/dead-letter.yaml',
    object: {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: DEAD_LETTER, namespace: settings.namespace, labels: { ...labelsFor('dead-letter'), 'networking.knative.dev/visibility': 'cluster-local' } },
      spec: {
        template: {
          metadata: {
            labels: labelsFor('dead-letter'),
            // One pod always up: its log is where failed events are kept for inspection.
            annotations: { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '1' },
          },
          spec: {
            containers: [{ name: 'dead-letter', image: settings.images.deadLetter, securityContext: SECURITY }],
          },
        },
      },
    },
  };
}

/** buildServices returns the Knative Services (pure). */
export function buildServices(settings: DeploySettings): Manifest[] {
  return [...FUNCTION_PROFILES.map((profile) => functionService(profile, settings)), deadLetterService(settings)];
}
