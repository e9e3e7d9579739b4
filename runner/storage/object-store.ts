import type { Readable } from 'node:stream';

/**
 * ObjectInfo is what a HEAD or a listing tells about one object. `etag` is unquoted.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** PutResult is what an upload returns: the key, the size sent and the ETag the store gave. */
export interface PutResult {
  key: string;
  size: number;
  etag: string;
}

/**
 * OpenUpload is a multipart upload that was started and neither completed nor aborted: its
 * parts are stored (and billed) but no object exists yet.
 */
export interface OpenUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/** ObjectStream is an open GET: the object's info (from the response headers) and its body. */
export interface ObjectStream {
  info: ObjectInfo;
  body: Readable;
}

/**
 * ObjectStore is the runner's view of one S3 bucket. Implementations retry throttling,
 * 5xx and timeouts with backoff, never a 4xx; SSE-KMS is applied to every write when the
 * store was built with a key. Keys are full object keys (the catalog prefix included).
 */
export interface ObjectStore {
  readonly bucket: string;
  /** putFile uploads a local file (multipart above the part size); side effect. */
  putFile(key: string, localPath: string, contentType?: string): Promise<PutResult>;
  /**
   * putStream uploads a stream of unknown length (multipart once it passes the part size,
   * each part buffered so a retry can resend it); side effect. The size is what was read.
   */
  putStream(key: string, body: Readable, contentType?: string): Promise<PutResult>;
  /** putBytes uploads a small buffer; side effect. */
  putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<PutResult>;
  /** head returns the object's info, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** getToFile downloads an object to a local path (atomically: temp file + rename). */
  getToFile(key: string, localPath: string): Promise<ObjectInfo>;
  /**
   * getStream opens a GET and returns the body unread (the request is retried, a body that
   * breaks mid-stream is not: the caller sees the stream error). The caller must consume
   * or destroy the body.
   */
  getStream(key: string): Promise<ObjectStream>;
  /**
   * presignGet returns a URL that GETs the object without further credentials for a few
   * minutes, where the store can make one (the lean landing stream uses it).
   */
  presignGet?(key: string): Promise<URL>;
  /** getBytes downloads a small object into memory. */
  getBytes(key: string): Promise<Uint8Array>;
  /** list yields every object under a prefix, following pagination. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** deleteMany deletes keys in batches of 1,000; side effect. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /**
   * listUploads yields the open multipart uploads whose keys start with `prefix`, following
   * pagination. (MinIO answers a prefix that is not a whole key with no uploads; it expires
   * stale uploads itself.)
   */
  listUploads(prefix: string): AsyncIterable<OpenUpload>;
  /** abortUpload aborts an open multipart upload and drops its parts (side effect); one already gone is not an error. */
  abortUpload(key: string, uploadId: string): Promise<void>;
}
