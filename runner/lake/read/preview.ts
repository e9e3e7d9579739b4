/** PREVIEW_MAX_BYTES caps the preview in the result and in DuckLakeQuery status. */
export const PREVIEW_MAX_BYTES = 2048;

/**
 * buildPreview renders rows as compact JSON lines, one row per line, stopping before the
 * line that would push the text past `maxBytes` UTF-8 bytes (pure). A first row that alone
 * is too long is cut and ends with `…`, so a non-empty result always shows something.
 */
export function buildPreview(rows: readonly unknown[], maxBytes = PREVIEW_MAX_BYTES): string {
  let out = '';
  let used = 0;
  for (const row of rows) {
    const line = JSON.stringify(row) ?? 'null';
    const separator = out === '' ? '' : '\n';
    const size = Buffer.byteLength(separator + line, 'utf8');
    if (used + size <= maxBytes) {
      out += separator + line;
      used += size;
      continue;
    }
    if (out === '') out = truncateUtf8(line, maxBytes - Buffer.byteLength('…', 'utf8')) + '…';
    break;
  }
  return out;
}

/** truncateUtf8 cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character (pure). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
