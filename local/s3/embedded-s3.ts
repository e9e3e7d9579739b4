import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { ReadStream } from 'node:fs';
import S3rver from 's3rver';
import { LeanFileBody } from './lean-file-body.ts';
import { useS3MultipartUploads, type MultipartStore, type MultipartUploads } from './multipart-uploads.ts';

/**
 * EMBEDDED_S3_CREDENTIALS are the fixed keys s3rver accepts. For SigV4 it checks only the
 * access key id (an unknown one is a 403 InvalidAccessKeyId), not the signature.
 */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * S3ObjectEvent is one record of s3rver's object notification, in the AWS S3 event shape
 * (`ObjectCreated:Put`, `ObjectCreated:Copy`, `ObjectCreated:Post`, `ObjectRemoved:Delete`;
 * s3rver emits nothing for DeleteObjects).
 */
export interface S3ObjectEvent {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } };
}

/** EmbeddedS3 is a running s3rver: its endpoint, credentials, object events and close(). */
export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** events emits 'object' with each S3ObjectEvent record. */
  events: EventEmitter;
  /** close stops the server and drops its open connections; side effect. */
  close(): Promise<void>;
}

/** EmbeddedS3Options: the folder that holds the buckets, the port (0 = any free) and buckets to create. */
export interface EmbeddedS3Options {
  dir: string;
  port?: number;
  address?: string;
  buckets: readonly string[];
}

// s3rver is a Koa application; its typings omit the emitter, the HTTP server and the store it keeps.
interface StoredObject { content: unknown }
interface ObjectFileStore { getObject(bucket: string, key: string, options?: unknown): Promise<StoredObject | null> }
type S3rverRuntime = S3rver & {
  on(event: 'event', listener: (event: { Records: S3ObjectEvent[] }) => void): void;
  httpServer?: Server;
  store: ObjectFileStore & MultipartStore;
  /** middleware is Koa's list, composed when the server starts; s3rver's router is last. */
  middleware: Middleware[];
};

/** OWNER is the account s3rver names as the owner of everything, as ListMultipartUploads shows it. */
const OWNER = { ID: '123456789000', DisplayName: 'S3rver' } as const;

/** sendObjectsLean makes the store's GET bodies LeanFileBody (side effect: wraps store.getObject). */
function sendObjectsLean(store: ObjectFileStore): void {
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const object = await getObject(bucket, key, options);
    if (object && object.content instanceof ReadStream) object.content = new LeanFileBody(object.content);
    return object;
  };
}

interface RouterContext {
  method: string;
  status: number;
  body: unknown;
  query: Record<string, unknown>;
  params?: { bucket?: string; key?: string; queryMethod?: string };
}
type Middleware = (ctx: RouterContext, next: () => Promise<void>) => Promise<void>;

/** MAX_UPLOADS_PER_PAGE is S3's largest ListMultipartUploads page. */
const MAX_UPLOADS_PER_PAGE = 1000;

function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/** listUploads answers `GET /bucket?uploads` with one page of ListMultipartUploadsResult (read only). */
async function listUploads(ctx: RouterContext, bucket: string, uploads: MultipartUploads): Promise<void> {
  const prefix = queryText(ctx.query, 'prefix') ?? '';
  const keyMarker = queryText(ctx.query, 'key-marker');
  const uploadIdMarker = queryText(ctx.query, 'upload-id-marker');
  const asked = Number(queryText(ctx.query, 'max-uploads') ?? MAX_UPLOADS_PER_PAGE);
  const maxUploads = Number.isInteger(asked) && asked >= 0 ? Math.min(asked, MAX_UPLOADS_PER_PAGE) : MAX_UPLOADS_PER_PAGE;
  const page = await uploads.list(bucket, { prefix, maxUploads, ...(keyMarker ? { keyMarker } : {}), ...(uploadIdMarker ? { uploadIdMarker } : {}) });
  ctx.status = 200;
  ctx.body = {
    ListMultipartUploadsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      KeyMarker: keyMarker ?? '',
      UploadIdMarker: uploadIdMarker ?? '',
      NextKeyMarker: page.next?.keyMarker ?? '',
      NextUploadIdMarker: page.next?.uploadIdMarker ?? '',
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: page.next !== undefined,
      Upload: page.uploads.map((upload) => ({
        Key: upload.key, UploadId: upload.uploadId, Initiator: OWNER, Owner: OWNER, StorageClass: 'STANDARD', Initiated: upload.initiated.toISOString(),
      })),
    },
  };
}

/**
 * answerMultipartRequests answers the multipart requests that s3rver's router refuses after
 * authenticating them (side effect: a Koa middleware just before the router):
 * `DELETE /bucket/key?uploadId=…`, refused with MethodNotAllowed, aborts the upload (204, as
 * S3 answers it); `GET /bucket?uploads`, refused with NotImplemented once the bucket is known
 * to exist, lists the open uploads. Any other refusal stays as it is.
 */
function answerMultipartRequests(server: S3rverRuntime, uploads: MultipartUploads): void {
  const answer: Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const { bucket, key, queryMethod } = ctx.params ?? {};
      const uploadId = ctx.query.uploadId;
      if (code === 'MethodNotAllowed' && ctx.method === 'DELETE' && queryMethod === 'uploadId' && bucket && key && typeof uploadId === 'string') {
        await uploads.abort(bucket, key, uploadId);
        ctx.status = 204;
        ctx.body = null;
        return;
      }
      if (code === 'NotImplemented' && ctx.method === 'GET' && queryMethod === 'uploads' && bucket && !key) return listUploads(ctx, bucket, uploads);
      throw error;
    }
  };
  server.middleware.splice(server.middleware.length - 1, 0, answer);
}

/**
 * startEmbeddedS3 starts s3rver on loopback storing objects on disk under `dir` and creates
 * the buckets (side effects: a listening socket, files). Paginated listings need Node's
 * `--openssl-legacy-provider` (see PLATFORM.md).
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const address = options.address ?? '127.0.0.1';
  const server = new S3rver({
    address,
    port: options.port ?? 0,
    silent: true,
    directory: options.dir,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  }) as S3rverRuntime;
  sendObjectsLean(server.store);
  answerMultipartRequests(server, useS3MultipartUploads(server.store));
  const events = new EventEmitter();
  server.on('event', (event) => {
    for (const record of event.Records) events.emit('object', record);
  });
  const bound = await server.run();
  return {
    endpoint: `http://${address}:${bound.port}`,
    port: bound.port,
    ...EMBEDDED_S3_CREDENTIALS,
    events,
    close: async () => {
      // Keep-alive sockets of SDK clients would hold close() open forever.
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
    },
  };
}
