import { z } from 'zod';
import { BUCKET_NAME, isSafeRelativePath } from './identifiers.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** CredentialsSecretRef names the Secret holding S3 credentials, and its two keys. */
export const CredentialsSecretRef = z.object({
  name: z.string().regex(DNS_SUBDOMAIN, 'must be a Secret name (a DNS subdomain)').max(253).describe('Name of the Secret in the resource\'s namespace.'),
  accessKeyField: z.string().regex(SECRET_KEY, 'must be a Secret data key').default('access-key').describe('Key of the access key id in the Secret.'),
  secretKeyField: z.string().regex(SECRET_KEY, 'must be a Secret data key').default('secret-key').describe('Key of the secret access key in the Secret.'),
});

/**
 * ObjectStoreSpec is where a catalog (or a table overriding it) keeps its data. Without a
 * credentialsSecret the runner uses the pod's own identity (IRSA / workload identity).
 */
export const ObjectStoreSpec = z.object({
  endpoint: z.string().max(2048).regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL').optional().describe('S3 endpoint URL; omit for AWS S3.'),
  bucket: z.string().regex(BUCKET_NAME, 'must be a valid S3 bucket name').describe('Bucket of the data.'),
  region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a region name such as us-east-1').default('us-east-1').describe('Bucket region.'),
  prefix: z
    .string()
    .max(1024)
    .refine((value) => value === '' || isSafeRelativePath(value), 'must be empty or a relative key prefix without ".."')
    .default('')
    .describe('Key prefix under which the catalog keeps its data.'),
  forcePathStyle: z.boolean().default(false).describe('Use path-style addressing (MinIO and most S3-compatible servers).'),
  credentialsSecret: CredentialsSecretRef.optional().describe('Secret with the S3 credentials; omit to use the pod identity.'),
});
export type ObjectStoreSpec = z.infer<typeof ObjectStoreSpec>;
