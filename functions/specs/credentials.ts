import type { z } from 'zod';
import type { CredentialsSecretRef as Schema } from '../../api/object-store-spec.ts';

/** CredentialsSecretRef names the Secret with S3 credentials and its two keys (defaults applied). */
export type CredentialsSecretRef = z.infer<typeof Schema>;
