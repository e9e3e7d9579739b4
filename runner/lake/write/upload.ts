/**
 * Uploading written data files and checking them: every object is PUT (multipart above
 * the store's part size, SSE-KMS when the store has a key), then HEAD-checked so that
 * the catalog never references an object whose size or ETag differs from what we sent.
 */
import type { Logger } from 'pino';
import { FeathermanError } from '../../errors.ts';
import type { ObjectStore, PutResult } from '../../storage/object-store.ts';
import { formatBytes } from './file-plan.ts';

/** UploadItem is one local file and where it goes. */
export interface UploadItem {
  localPath: string;
  store: ObjectStore;
  key: string;
  sizeBytes: number;
  /** uploaded is set when the object already went up while the file was written; it is then only HEAD-checked. */
  uploaded?: PutResult;
}

/** PARQUET_CONTENT_TYPE is the media type data files are stored with. */
export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/**
 * uploadAndVerify uploads the items a few at a time (those not uploaded yet) and
 * HEAD-checks each (side effect: objects in the bucket). It logs progress at INFO at most every `progressEveryMs` and
 * once at the end. A HEAD that disagrees with the upload is FM_ERR_OBJECT_MISMATCH.
 */
export async function uploadAndVerify(items: readonly UploadItem[], log: Logger, parallel = 4, progressEveryMs = 2000): Promise<PutResult[]> {
  const results: PutResult[] = new Array(items.length);
  const totalBytes = items.reduce((sum, item) => sum + item.sizeBytes, 0);
  let done = 0;
  let doneBytes = 0;
  let lastLog = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (!item) continue;
      const put = item.uploaded ?? await item.store.putFile(item.key, item.localPath, PARQUET_CONTENT_TYPE);
      const head = await item.store.head(item.key);
      const where = `s3://${item.store.bucket}/${item.key}`;
      if (!head) throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `uploaded object ${where} is missing on HEAD; nothing was committed`);
      if (head.size !== put.size || head.size !== item.sizeBytes || head.etag !== put.etag) {
        throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `uploaded object ${where} reads back as ${head.size} bytes with ETag ${head.etag}, but ${item.sizeBytes} bytes with ETag ${put.etag} were sent; nothing was committed`);
      }
      results[index] = put;
      done += 1;
      doneBytes += item.sizeBytes;
      log.debug({ phase: 'upload', key: item.key, bytes: item.sizeBytes, etag: put.etag }, 'uploaded');
      if (Date.now() - lastLog >= progressEveryMs && done < items.length) {
        lastLog = Date.now();
        log.info({ phase: 'upload', files: done, totalFiles: items.length, bytes: doneBytes, totalBytes }, `uploaded ${done}/${items.length} files, ${formatBytes(doneBytes)} of ${formatBytes(totalBytes)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  log.info({ phase: 'upload', files: done, totalFiles: items.length, bytes: doneBytes, totalBytes }, `uploaded ${done}/${items.length} files, ${formatBytes(doneBytes)}`);
  return results;
}
