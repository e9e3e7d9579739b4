import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
  type PutObjectCommandInput, type ServiceInputTypes, type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware } from '@aws-sdk/types';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Logger } from 'pino';
import { FeathermanError } from '../errors.ts';
import type { ObjectInfo, ObjectStore, ObjectStream, OpenUpload, PutResult } from './object-store.ts';
import { DEFAULT_RETRY_POLICY, decideRetry, httpStatusOf, withRetry, type RetryPolicy } from './retry.ts';

/** S3ObjectStoreOptions configures createS3ObjectStore; credentials never come from a plan. */
export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  kmsKeyId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** maxAttempts is the retry wrapper's attempt count (the SDK's own is fixed at 1). */
  maxAttempts?: number;
  /** partSizeBytes is the multipart threshold and part size (default 16 MiB; S3 minimum 5 MiB). */
  partSizeBytes?: number;
  /** socketTimeoutMs aborts a request whose socket stays idle this long (default 30 s). */
  socketTimeoutMs?: number;
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  logger?: Logger;
}

/** S3StoreStats counts what the store sent; tests read it to see retries happen. */
export interface S3StoreStats {
  requests: number;
  retries: number;
}

/** S3ObjectStore is an ObjectStore over one bucket with counters and a close() for its sockets. */
export interface S3ObjectStore extends ObjectStore {
  readonly stats: S3StoreStats;
  /** close releases the client's sockets; side effect. */
  close(): void;
}

/** DEFAULT_PART_SIZE_BYTES is the multipart threshold and part size: 16 MiB. */
export const DEFAULT_PART_SIZE_BYTES = 16 * 1024 * 1024;

/** PRESIGNED_GET_SECONDS is how long a presigned GET stays valid: a landing stream starts within it. */
export const PRESIGNED_GET_SECONDS = 900;

/** unquoteEtag strips the quotes S3 puts around ETags (pure). */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"+|"+$/g, '');
}

function describeFailure(action: string, target: string, error: unknown): FeathermanError {
  const status = httpStatusOf(error);
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error';
  const detail = status === undefined ? name : `HTTP ${status} ${name}`;
  return new FeathermanError('FM_ERR_OBJECT_STORE', `${action} ${target} failed: ${detail}`, { cause: error });
}

/**
 * createS3ObjectStore builds an ObjectStore over one bucket with @aws-sdk/client-s3 (no I/O
 * until used). Every HTTP request, including each multipart part, goes through our retry
 * wrapper, installed as a middleware before signing so each attempt is signed afresh.
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): S3ObjectStore {
  const { bucket, logger: log } = options;
  const partSize = Math.max(5 * 1024 * 1024, options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry, maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts };
  const stats: S3StoreStats = { requests: 0, retries: 0 };
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    // Checksums only where S3 requires them: test servers do not speak aws-chunked trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5000, socketTimeout: options.socketTimeoutMs ?? 30_000 },
  });
  const retryMiddleware: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) =>
    withRetry(
      () => {
        stats.requests += 1;
        return next(args);
      },
      policy,
      { log, label: bucket, onRetry: () => (stats.retries += 1) },
    );
  client.middlewareStack.addRelativeTo(retryMiddleware, { name: 'feathermanRetry', relation: 'before', toMiddleware: 'httpSigningMiddleware' });
  const encryption: Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'> = options.kmsKeyId
    ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId }
    : {};
  const url = (key: string) => `s3://${bucket}/${key}`;

  async function putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<PutResult> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    try {
      const out = await client.send(new PutObjectCommand({
        Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, ...(contentType ? { ContentType: contentType } : {}), ...encryption,
      }));
      return { key, size: bytes.byteLength, etag: unquoteEtag(out.ETag) };
    } catch (error) {
      throw describeFailure('upload to', url(key), error);
    }
  }

  async function putFile(key: string, localPath: string, contentType?: string): Promise<PutResult> {
    const { size } = await stat(localPath);
    // Small files are read into memory so that a retried request can resend the body.
    if (size <= partSize) return putBytes(key, await readFile(localPath), contentType);
    return multipartUpload(key, createReadStream(localPath), contentType, 'multipart upload to');
  }

  function putStream(key: string, body: Readable, contentType?: string): Promise<PutResult> {
    return multipartUpload(key, body, contentType, 'streamed upload to');
  }

  /** multipartUpload sends a body of unknown length in parts (lib-storage), counting its bytes. */
  async function multipartUpload(key: string, body: Readable, contentType: string | undefined, what: string): Promise<PutResult> {
    let size = 0;
    const counted = body.pipe(new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    }));
    body.once('error', (error) => counted.destroy(error));
    try {
      const upload = new Upload({
        client,
        partSize,
        queueSize: 4,
        leavePartsOnError: false,
        params: { Bucket: bucket, Key: key, Body: counted, ...(contentType ? { ContentType: contentType } : {}), ...encryption },
      });
      const out = await upload.done();
      log?.debug({ key, size, parts: Math.ceil(size / partSize) }, `${what.replace(/ to$/, '')} complete`);
      return { key, size, etag: unquoteEtag(out.ETag) };
    } catch (error) {
      body.destroy();
      throw describeFailure(what, url(key), error);
    }
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0, etag: unquoteEtag(out.ETag), lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw describeFailure('HEAD', url(key), error);
    }
  }

  async function openObject(key: string): Promise<ObjectStream> {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const info: ObjectInfo = { key, size: out.ContentLength ?? 0, etag: unquoteEtag(out.ETag), lastModified: out.LastModified ?? new Date(0) };
      return { info, body: out.Body as Readable };
    } catch (error) {
      if (httpStatusOf(error) === 404) throw new FeathermanError('FM_ERR_OBJECT_STORE', `object ${url(key)} does not exist`, { cause: error });
      throw describeFailure('GET', url(key), error);
    }
  }

  // A body that breaks mid-stream is not covered by the request middleware: retry the GET.
  async function readBody<T>(key: string, consume: (info: ObjectInfo, body: Readable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const { info, body } = await openObject(key);
      try {
        return await consume(info, body);
      } catch (error) {
        if (error instanceof FeathermanError) throw error;
        if (!decideRetry(error).retry || attempt >= policy.maxAttempts) throw describeFailure('download of', url(key), error);
        stats.retries += 1;
        log?.debug({ key, attempt, err: String(error) }, 'retrying broken download');
      }
    }
  }

  async function getToFile(key: string, localPath: string): Promise<ObjectInfo> {
    return readBody(key, async (info, body) => {
      const temp = `${localPath}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
      try {
        await pipeline(body, createWriteStream(temp));
        const written = (await stat(temp)).size;
        if (written !== info.size) {
          throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `download of ${url(key)} wrote ${written} bytes; expected ${info.size}`);
        }
        await rename(temp, localPath);
        return info;
      } finally {
        await rm(temp, { force: true });
      }
    });
  }

  async function presignGet(key: string): Promise<URL> {
    try {
      return new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: PRESIGNED_GET_SECONDS }));
    } catch (error) {
      throw describeFailure('presigning a GET of', url(key), error);
    }
  }

  async function getBytes(key: string): Promise<Uint8Array> {
    return readBody(key, async (_info, body) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      return new Uint8Array(Buffer.concat(chunks));
    });
  }

  async function* list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let out;
      try {
        out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      } catch (error) {
        throw describeFailure('listing of', url(prefix), error);
      }
      for (const item of out.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, size: item.Size ?? 0, etag: unquoteEtag(item.ETag), lastModified: item.LastModified ?? new Date(0) };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async function deleteMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      let out;
      try {
        out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      } catch (error) {
        throw describeFailure(`delete of ${batch.length} objects in`, `s3://${bucket}/`, error);
      }
      const failed = out.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new FeathermanError('FM_ERR_OBJECT_STORE', `delete of ${failed.length} objects failed; first ${url(first?.Key ?? '?')}: ${first?.Code ?? 'error'}`);
      }
    }
  }

  async function* listUploads(prefix: string): AsyncIterable<OpenUpload> {
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      let out;
      try {
        out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...markers }));
      } catch (error) {
        throw describeFailure('listing of the multipart uploads under', url(prefix), error);
      }
      for (const item of out.Uploads ?? []) {
        if (item.Key === undefined || item.UploadId === undefined) continue;
        yield { key: item.Key, uploadId: item.UploadId, initiated: item.Initiated ?? new Date(0) };
      }
      if (!out.IsTruncated || out.NextKeyMarker === undefined) return;
      markers = { KeyMarker: out.NextKeyMarker, ...(out.NextUploadIdMarker ? { UploadIdMarker: out.NextUploadIdMarker } : {}) };
    }
  }

  async function abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (httpStatusOf(error) === 404) return;
      throw describeFailure(`abort of multipart upload ${uploadId} to`, url(key), error);
    }
  }

  return {
    bucket, stats, putFile, putStream, putBytes, head, getToFile, getStream: openObject, presignGet, getBytes, list, deleteMany, listUploads, abortUpload,
    close: () => client.destroy(),
  };
}
