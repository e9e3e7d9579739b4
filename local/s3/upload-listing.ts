/**
 * ListMultipartUploads for the embedded S3 server: the open uploads of a bucket, read from
 * s3rver's uploads folder, ordered and paged as S3 does.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** OpenUploadEntry is one open upload as ListMultipartUploads shows it; `initiatedNs` orders uploads begun in the same millisecond. */
export interface OpenUploadEntry {
  key: string;
  uploadId: string;
  initiated: Date;
  initiatedNs: bigint;
}

/** UploadListing is one page of ListMultipartUploads. */
export interface UploadListing {
  uploads: OpenUploadEntry[];
  /** Set when more uploads follow: the markers of the next page. */
  next?: { keyMarker: string; uploadIdMarker: string };
}

/** UploadListRequest is what ListMultipartUploads asks: a prefix, the markers of a page and its size. */
export interface UploadListRequest {
  prefix: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

/**
 * pageOfUploads orders uploads as S3 does (by key, then by initiation) and cuts the page
 * that follows the markers (pure). Without an upload-id marker, the page starts after every
 * upload of the key marker.
 */
export function pageOfUploads(all: readonly OpenUploadEntry[], request: UploadListRequest): UploadListing {
  const sorted = all.filter((upload) => upload.key.startsWith(request.prefix))
    .sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.initiatedNs !== b.initiatedNs ? (a.initiatedNs < b.initiatedNs ? -1 : 1) : a.uploadId.localeCompare(b.uploadId)));
  let start = 0;
  const { keyMarker, uploadIdMarker } = request;
  if (keyMarker !== undefined && keyMarker !== '') {
    const marked = uploadIdMarker ? sorted.findIndex((upload) => upload.key === keyMarker && upload.uploadId === uploadIdMarker) : -1;
    start = marked >= 0 ? marked + 1 : sorted.findIndex((upload) => upload.key > keyMarker);
    if (start < 0) start = sorted.length;
  }
  const uploads = sorted.slice(start, start + request.maxUploads);
  const last = uploads[uploads.length - 1];
  return start + uploads.length < sorted.length && last ? { uploads, next: { keyMarker: last.key, uploadIdMarker: last.uploadId } } : { uploads };
}

// A file or folder that is not there (an upload completed or aborted meanwhile) is undefined.
function orMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

/**
 * openUploads reads the uploads folder: one folder per upload id, whose `key` file s3rver
 * writes when the upload is initiated (read only). An upload completed or aborted meanwhile
 * is left out.
 */
export async function openUploads(root: string): Promise<OpenUploadEntry[]> {
  const ids = (await readdir(root).catch(orMissing)) ?? [];
  const found = await Promise.all(ids.map(async (uploadId) => {
    const keyFile = join(root, uploadId, 'key');
    const [key, info] = await Promise.all([readFile(keyFile, 'utf8').catch(orMissing), stat(keyFile, { bigint: true }).catch(orMissing)]);
    return key === undefined || info === undefined ? undefined : { key, uploadId, initiated: new Date(Number(info.mtimeMs)), initiatedNs: info.mtimeNs };
  }));
  return found.filter((entry): entry is OpenUploadEntry => entry !== undefined);
}
