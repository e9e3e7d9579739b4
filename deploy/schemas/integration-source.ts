/**
 * IIntegrationSource: the fields of Knative Eventing's IntegrationSource
 * (sources.knative.dev/v1alpha1) that Featherman may write, written from the Knative API
 * reference (no npm package ships its schema). Only spec.aws.sqs is modelled for AWS:
 * spec.aws.s3 consumes the bucket's objects and must never be used.
 */

interface KReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** IIntegrationSource is the object shape checked strictly by the manifest tests. */
export interface IIntegrationSource {
  apiVersion: 'sources.knative.dev/v1alpha1';
  kind: 'IntegrationSource';
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    aws?: {
      auth?: { secret?: { ref?: { name?: string } } };
      sqs?: {
        arn: string;
        region?: string;
        autoCreateQueue?: boolean;
        delay?: number;
        deleteAfterRead?: boolean;
        greedy?: boolean;
        host?: string;
        maxMessagesPerPoll?: number;
        overrideEndpoint?: boolean;
        protocol?: string;
        queueURL?: string;
        uriEndpointOverride?: string;
        visibilityTimeout?: number;
        waitTimeSeconds?: number;
      };
    };
    timer?: { period?: number; message?: string; contentType?: string; repeatCount?: number };
    ceOverrides?: { extensions?: Record<string, string> };
    sink?: { ref?: KReference; uri?: string; CACerts?: string; audience?: string };
  };
}
