/**
 * S3Adapter: the functions' only use of the S3 client: HEAD one object, and delete every
 * object under a table's prefix (deletionPolicy Delete). Credentials come from the
 * Secret the object store names, read through the kube adapter, and never leave here.
 * Side effects: HTTP to the object store. The SDK is loaded on first use: most events
 * never need it, and it would add a quarter of a second to every cold start.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStoreSpec } from '../../api/object-store-spec.ts';
import type { KubeAdapter } from './kube.ts';

/** ObjectHead is what a HEAD tells: size and ETag (quotes removed). */
export interface ObjectHead {
  size: number;
  eTag?: string;
}

/** S3_PERMISSIONS are the S3 actions the adapter uses (for the bucket policy of the functions' identity). */
export const S3_PERMISSIONS = { headObject: ['s3:GetObject'], deleteObjects: ['s3:ListBucket', 's3:DeleteObject'] } as const;

function isMissing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : '';
  return status === 404 || name === 'NotFound' || name === 'NoSuchKey';
}

function sdk() {
  return import('@aws-sdk/client-s3');
}

/** S3Adapter talks to the object stores of the resources (side effects: HTTP). */
export class S3Adapter {
  constructor(private readonly kube: Pick<KubeAdapter, 'readSecretData'>) {}

  private async client(store: ObjectStoreSpec, namespace: string): Promise<S3Client> {
    let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    const ref = store.credentialsSecret;
    if (ref !== undefined) {
      const data = await this.kube.readSecretData(namespace, ref.name);
      const accessKeyId = data?.[ref.accessKeyField];
      const secretAccessKey = data?.[ref.secretKeyField];
      if (accessKeyId === undefined || secretAccessKey === undefined) {
        throw new Error(`Secret ${namespace}/${ref.name} lacks the keys ${ref.accessKeyField} and ${ref.secretKeyField} that spec.objectStore.credentialsSecret names`);
      }
      credentials = { accessKeyId, secretAccessKey };
    }
    const { S3Client } = await sdk();
    return new S3Client({
      region: store.region,
      forcePathStyle: store.forcePathStyle,
      maxAttempts: 3,
      ...(store.endpoint !== undefined ? { endpoint: store.endpoint } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
    });
  }

  /** headObject returns an object's size and ETag, or undefined when it does not exist. */
  async headObject(store: ObjectStoreSpec, namespace: string, bucket: string, key: string): Promise<ObjectHead | undefined> {
    const client = await this.client(store, namespace);
    const { HeadObjectCommand } = await sdk();
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0, ...(head.ETag !== undefined ? { eTag: head.ETag.replace(/^"|"$/g, '') } : {}) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new Error(`while reading s3://${bucket}/${key}`, { cause: error });
    } finally {
      client.destroy();
    }
  }

  /** deleteObjects deletes every object under `prefix` (which must be non-empty) and returns how many went. */
  async deleteObjects(store: ObjectStoreSpec, namespace: string, bucket: string, prefix: string): Promise<number> {
    if (prefix === '' || prefix === '/') throw new Error(`refusing to delete a whole bucket: prefix ${JSON.stringify(prefix)} is empty`);
    const client = await this.client(store, namespace);
    const { DeleteObjectsCommand, ListObjectsV2Command } = await sdk();
    let deleted = 0;
    try {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
        const keys = (page.Contents ?? []).flatMap((item) => (item.Key !== undefined ? [{ Key: item.Key }] : []));
        if (keys.length > 0) {
          const answer = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
          const failed = answer.Errors ?? [];
          if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects under s3://${bucket}/${prefix}, e.g. ${failed[0]?.Key ?? '?'}: ${failed[0]?.Message ?? ''}`);
          deleted += keys.length;
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return deleted;
    } catch (error) {
      throw new Error(`while deleting the objects under s3://${bucket}/${prefix}`, { cause: error });
    } finally {
      client.destroy();
    }
  }
}
