/**
 * The `changes_made` column of ducklake_snapshot_changes (ducklake-format.md §5.4): a
 * comma-separated list of `kind:value`. Create entries carry double-quoted names
 * (`"main"."sales"`, `"` doubled inside); every other kind carries a numeric id. The
 * extension parses this list and throws on an unknown kind or a malformed value, so we
 * render exactly its grammar and parse it back the same way.
 */

/** NAME_CHANGE_KINDS take quoted names: `"s"` for schemas, `"s"."t"` for the rest. */
export const NAME_CHANGE_KINDS = [
  'created_schema', 'created_table', 'created_view', 'created_scalar_macro', 'created_table_macro',
] as const;

/** ID_CHANGE_KINDS take a numeric id. */
export const ID_CHANGE_KINDS = [
  'dropped_schema', 'dropped_table', 'dropped_view', 'dropped_scalar_macro', 'dropped_table_macro',
  'inserted_into_table', 'deleted_from_table', 'altered_table', 'altered_view',
  'inlined_insert', 'inlined_delete', 'inline_flush', 'flushed_inlined',
  'merge_adjacent', 'rewrite_delete', 'compacted_table',
] as const;

/** NameChangeKind is a kind whose value is a quoted name. */
export type NameChangeKind = (typeof NAME_CHANGE_KINDS)[number];
/** IdChangeKind is a kind whose value is an id. */
export type IdChangeKind = (typeof ID_CHANGE_KINDS)[number];
/** ChangeKind is any kind the 1.0 extension accepts. */
export type ChangeKind = NameChangeKind | IdChangeKind;

/** ChangeEntry is one parsed or to-be-rendered entry of changes_made. */
export type ChangeEntry =
  | { kind: 'created_schema'; schema: string }
  | { kind: Exclude<NameChangeKind, 'created_schema'>; schema: string; name: string }
  | { kind: IdChangeKind; id: number };

/** quoteChangeName renders `"name"` with embedded double quotes doubled (pure). */
export function quoteChangeName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** renderChange renders one entry as `kind:value` (pure). */
export function renderChange(entry: ChangeEntry): string {
  if (entry.kind === 'created_schema') return `${entry.kind}:${quoteChangeName(entry.schema)}`;
  if ('name' in entry) return `${entry.kind}:${quoteChangeName(entry.schema)}.${quoteChangeName(entry.name)}`;
  if (!Number.isInteger(entry.id) || entry.id < 0) throw new Error(`changes_made: ${entry.kind} needs a non-negative integer id; got ${entry.id}`);
  return `${entry.kind}:${entry.id}`;
}

/**
 * renderChanges joins entries with commas, dropping exact duplicates and keeping first-seen
 * order (pure). An empty list renders as null, stored as SQL NULL as the extension does.
 */
export function renderChanges(entries: readonly ChangeEntry[]): string | null {
  const rendered: string[] = [];
  for (const entry of entries) {
    const text = renderChange(entry);
    if (!rendered.includes(text)) rendered.push(text);
  }
  return rendered.length === 0 ? null : rendered.join(',');
}

/** isChangeKind narrows a string to a known kind (pure). */
export function isChangeKind(kind: string): kind is ChangeKind {
  return (NAME_CHANGE_KINDS as readonly string[]).includes(kind) || (ID_CHANGE_KINDS as readonly string[]).includes(kind);
}

function readQuoted(text: string, start: number, where: string): { value: string; end: number } {
  if (text[start] !== '"') throw new Error(`changes_made: expected '"' at position ${start} in ${where}`);
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      if (text[index + 1] === '"') {
        value += '"';
        index += 2;
        continue;
      }
      return { value, end: index + 1 };
    }
    value += char;
    index += 1;
  }
  throw new Error(`changes_made: unterminated quoted name in ${where}`);
}

/**
 * parseChanges parses a changes_made string back into entries (pure). It throws, like the
 * extension, on an unknown kind, a create entry without `"schema"."name"` ("expected a
 * dot"), or a non-numeric id. NULL or empty text is an empty list.
 */
export function parseChanges(text: string | null): ChangeEntry[] {
  if (text === null || text === '') return [];
  const entries: ChangeEntry[] = [];
  let index = 0;
  while (index < text.length) {
    const colon = text.indexOf(':', index);
    if (colon < 0) throw new Error(`changes_made: expected "kind:value" at position ${index} in ${JSON.stringify(text)}`);
    const kind = text.slice(index, colon);
    if (!isChangeKind(kind)) throw new Error(`changes_made: unknown kind ${JSON.stringify(kind)} in ${JSON.stringify(text)}`);
    let cursor = colon + 1;
    if (kind === 'created_schema') {
      const schema = readQuoted(text, cursor, JSON.stringify(text));
      entries.push({ kind, schema: schema.value });
      cursor = schema.end;
    } else if ((NAME_CHANGE_KINDS as readonly string[]).includes(kind)) {
      const schema = readQuoted(text, cursor, JSON.stringify(text));
      if (text[schema.end] !== '.') throw new Error(`changes_made: expected a dot after the schema name of ${kind} in ${JSON.stringify(text)}`);
      const name = readQuoted(text, schema.end + 1, JSON.stringify(text));
      entries.push({ kind: kind as Exclude<NameChangeKind, 'created_schema'>, schema: schema.value, name: name.value });
      cursor = name.end;
    } else {
      const match = /^[0-9]+/.exec(text.slice(cursor));
      if (!match) throw new Error(`changes_made: ${kind} needs a numeric id in ${JSON.stringify(text)}`);
      entries.push({ kind: kind as IdChangeKind, id: Number(match[0]) });
      cursor += match[0].length;
    }
    if (cursor < text.length && text[cursor] !== ',') throw new Error(`changes_made: expected "," at position ${cursor} in ${JSON.stringify(text)}`);
    index = cursor + 1;
  }
  return entries;
}
