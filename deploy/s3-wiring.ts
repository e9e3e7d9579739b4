/**
 * buildS3Wiring: AWS S3 → SQS → IntegrationSource (spec.aws.sqs, never spec.aws.s3, which
 * would consume the objects) → Broker → Trigger → s3-object. MinIO posts straight to the
 * s3-object Service with a Bearer token (see examples/s3-wiring/minio), so it needs no
 * object here beyond the token Secret the operator creates.
 */
import { SQS_TYPE } from './handlers.ts';
import { labelsFor, sinkToBroker, type Manifest } from './manifest.ts';
import { triggerFor } from './eventing.ts';
import type { DeploySettings } from './settings.ts';

/** buildS3Wiring returns the SQS source and its Trigger, switched on by s3.sqs.enabled (pure). */
export function buildS3Wiring(settings: DeploySettings): Manifest[] {
  const namespace = settings.namespace;
  const file = 's3/sqs.yaml';
  const trigger = triggerFor('s3-object', { type: SQS_TYPE }, namespace, file);
  return [
    {
      file,
      when: 's3.sqs.enabled',
      object: {
        apiVersion: 'sources.knative.dev/v1alpha1',
        kind: 'IntegrationSource',
        metadata: { name: 'featherman-s3-sqs', namespace, labels: labelsFor('s3-sqs') },
        spec: {
          aws: {
            sqs: { arn: settings.s3.sqs.queueArn, region: settings.s3.sqs.region, deleteAfterRead: true },
            auth: { secret: { ref: { name: settings.s3.sqs.credentialsSecret } } },
          },
          sink: sinkToBroker(namespace),
        },
      },
    },
    { ...trigger, when: 's3.sqs.enabled' },
  ];
}
