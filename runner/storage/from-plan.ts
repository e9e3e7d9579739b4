import type { Logger } from 'pino';
import type { ObjectStorePlan } from '../../api/plan.ts';
import { createS3ObjectStore, type S3ObjectStore } from './s3-object-store.ts';

/** StoreEnv is the part of the environment the store reads: credentials and tuning knobs. */
export type StoreEnv = Readonly<Record<string, string | undefined>>;

/**
 * credentialsFromEnv reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
 * (pure); undefined when unset, so the SDK falls back to the pod's own identity.
 */
export function credentialsFromEnv(env: StoreEnv): S3ObjectStoreCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return env.AWS_SESSION_TOKEN ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : { accessKeyId, secretAccessKey };
}

/** S3ObjectStoreCredentials is a static key pair (never taken from a plan). */
export interface S3ObjectStoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed > 0 ? parsed : undefined;
}

/**
 * createObjectStoreFromPlan builds the store for a plan's objectStore section (no I/O until
 * used). `bucket` overrides the plan's bucket (tables with an absolute s3:// location).
 * Credentials come from `env`; FEATHERMAN_S3_MAX_ATTEMPTS and FEATHERMAN_S3_PART_SIZE_BYTES
 * tune retries and multipart.
 */
export function createObjectStoreFromPlan(plan: ObjectStorePlan, env: StoreEnv, logger?: Logger, bucket?: string): S3ObjectStore {
  const credentials = credentialsFromEnv(env);
  const maxAttempts = positiveInt(env.FEATHERMAN_S3_MAX_ATTEMPTS);
  const partSizeBytes = positiveInt(env.FEATHERMAN_S3_PART_SIZE_BYTES);
  return createS3ObjectStore({
    bucket: bucket ?? plan.bucket,
    region: plan.region,
    ...(plan.endpoint ? { endpoint: plan.endpoint } : {}),
    forcePathStyle: plan.forcePathStyle,
    ...(plan.kmsKeyId ? { kmsKeyId: plan.kmsKeyId } : {}),
    ...(credentials ? { credentials } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(partSizeBytes ? { partSizeBytes } : {}),
    ...(logger ? { logger } : {}),
  });
}

/**
 * createStoreFactory returns `storeFor(bucket)` for the OpContext: one store per bucket,
 * built on first use with the plan's endpoint, region and credentials, plus closeAll().
 */
export function createStoreFactory(plan: ObjectStorePlan, env: StoreEnv, logger?: Logger): { storeFor(bucket: string): S3ObjectStore; closeAll(): void } {
  const stores = new Map<string, S3ObjectStore>();
  return {
    storeFor(bucket) {
      let store = stores.get(bucket);
      if (!store) {
        store = createObjectStoreFromPlan(plan, env, logger, bucket);
        stores.set(bucket, store);
      }
      return store;
    },
    closeAll() {
      for (const store of stores.values()) store.close();
      stores.clear();
    },
  };
}
