import type { TestContext } from 'node:test';
import { startEmbeddedS3, type EmbeddedS3 } from '../../local/s3/embedded-s3.ts';
import { createS3ObjectStore, type S3ObjectStore, type S3ObjectStoreOptions } from '../../runner/storage/s3-object-store.ts';
import { removeDir, tempDir } from './temp-dir.ts';

/** TEST_BUCKET is the bucket every test server starts with. */
export const TEST_BUCKET = 'lake';

/** TestS3 is a running embedded S3 server with a ready store on bucket `lake`. */
export interface TestS3 {
  server: EmbeddedS3;
  endpoint: string;
  bucket: string;
  /** dir is the folder s3rver stores its buckets in. */
  dir: string;
  store: S3ObjectStore;
  /** storeOptions are the options `store` was built with (endpoint, credentials, path style). */
  storeOptions: S3ObjectStoreOptions;
  /** env is what a runner child process needs to reach the server (AWS_* variables). */
  env: Record<string, string>;
  /** makeStore builds another store on the same server, e.g. through a fault proxy. */
  makeStore(overrides?: Partial<S3ObjectStoreOptions>): S3ObjectStore;
  close(): Promise<void>;
}

/**
 * startTestS3 starts s3rver in a temp dir with the given buckets (default `lake`) and builds
 * a store on the first (side effects: files, a socket). Fast retries keep fault tests short.
 */
export async function startTestS3(buckets: readonly string[] = [TEST_BUCKET]): Promise<TestS3> {
  const dir = await tempDir(undefined, 'fm-s3-');
  const server = await startEmbeddedS3({ dir, buckets });
  const bucket = buckets[0] ?? TEST_BUCKET;
  const storeOptions: S3ObjectStoreOptions = {
    bucket,
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
  };
  const stores: S3ObjectStore[] = [];
  const makeStore = (overrides: Partial<S3ObjectStoreOptions> = {}) => {
    const store = createS3ObjectStore({ ...storeOptions, ...overrides });
    stores.push(store);
    return store;
  };
  const store = makeStore();
  const env = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: 'us-east-1' };
  return {
    server, endpoint: server.endpoint, bucket, dir, store, storeOptions, env, makeStore,
    close: async () => {
      for (const each of stores) each.close();
      await server.close();
      await removeDir(dir);
    },
  };
}

/**
 * withEmbeddedS3 is startTestS3 closed automatically after the test when given its context
 * (otherwise the caller closes it); side effects as startTestS3.
 */
export async function withEmbeddedS3(t?: TestContext, buckets?: readonly string[]): Promise<TestS3> {
  const s3 = await startTestS3(buckets);
  t?.after(() => s3.close());
  return s3;
}
