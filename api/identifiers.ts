import { z } from 'zod';

/**
 * SQL_IDENTIFIER is the rule for every SQL name a user gives (schema, table, column):
 * ASCII letters, digits and underscores, not starting with a digit, at most 63 characters.
 * Quotes, semicolons, dots, spaces and look-alike unicode letters are refused before any
 * SQL is built, so a name can always be quoted safely and maps 1:1 to a path segment.
 */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** sqlIdentifier is the zod schema of one SQL name (pure). */
export const sqlIdentifier = z
  .string()
  .regex(SQL_IDENTIFIER, 'must start with a letter or underscore and contain only ASCII letters, digits and underscores (at most 63)');

/**
 * SAFE_PATH_SEGMENT is the rule for one segment of a relative object path: no `..`,
 * no empty segments, no control characters, no backslashes or URL metacharacters.
 */
export const SAFE_PATH_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._=-]{1,255}$/;

/** isSafeRelativePath reports whether a relative path (segments joined by `/`, optional trailing `/`) is safe (pure). */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path.startsWith('/')) return false;
  const segments = path.replace(/\/$/, '').split('/');
  return segments.every((segment) => SAFE_PATH_SEGMENT.test(segment));
}

/** safeRelativePath is the zod schema of a relative object path such as `landing/sales/` (pure). */
export const safeRelativePath = z
  .string()
  .refine(isSafeRelativePath, 'must be a relative path of segments made of letters, digits, ".", "_", "=", "-" (no "..", no leading "/")');

/** S3_URL matches an absolute `s3://bucket/path/` location with a safe bucket name and path. */
export const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/;

/** isSafeS3Url reports whether a string is an `s3://bucket/key-prefix` URL with a safe path (pure). */
export function isSafeS3Url(url: string): boolean {
  const match = S3_URL.exec(url);
  if (!match) return false;
  const rest = match[2] ?? '';
  return rest === '' || isSafeRelativePath(rest);
}

/** BUCKET_NAME is the S3 bucket naming rule (lower case, digits, dots, hyphens, 3–63). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
