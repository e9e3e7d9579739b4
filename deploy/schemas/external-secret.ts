/**
 * IExternalSecret and ISecretStore: the External Secrets Operator (external-secrets.io/v1)
 * fields the example uses, written from the operator's API reference, for the strict check.
 */

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface SecretKeySelector {
  name: string;
  key: string;
  namespace?: string;
}

/** ISecretStore is a SecretStore reading AWS Secrets Manager. */
export interface ISecretStore {
  apiVersion: 'external-secrets.io/v1';
  kind: 'SecretStore';
  metadata?: Meta;
  spec: {
    provider: {
      aws: {
        service: 'SecretsManager' | 'ParameterStore';
        region: string;
        role?: string;
        auth?: {
          jwt?: { serviceAccountRef: { name: string; namespace?: string; audiences?: string[] } };
          secretRef?: { accessKeyIDSecretRef: SecretKeySelector; secretAccessKeySecretRef: SecretKeySelector };
        };
      };
    };
  };
}

/** IExternalSecret syncs remote values into one Kubernetes Secret. */
export interface IExternalSecret {
  apiVersion: 'external-secrets.io/v1';
  kind: 'ExternalSecret';
  metadata?: Meta;
  spec: {
    refreshInterval?: string;
    secretStoreRef: { name: string; kind?: 'SecretStore' | 'ClusterSecretStore' };
    target: { name: string; creationPolicy?: 'Owner' | 'Orphan' | 'Merge' | 'None'; deletionPolicy?: 'Retain' | 'Delete' | 'Merge' };
    data?: { secretKey: string; remoteRef: { key: string; property?: string; version?: string; conversionStrategy?: string; decodingStrategy?: string } }[];
  };
}
