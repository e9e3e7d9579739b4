/**
 * validateResource: the shared first half of validateCatalog/Table/Query. It parses the
 * envelope and spec with the api/ zod schemas and collects every issue. The status is
 * parsed apart and leniently: a status written by an earlier operator of this API group
 * must not make a good spec invalid. Pure.
 */
import { z } from 'zod';
import { Condition } from '../../api/condition.ts';
import { formatIssues, type ValidationResult } from '../../api/issues.ts';
import { API_VERSION, ResourceMeta } from './resources.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** isDnsLabel reports whether a name is an RFC 1123 label of at most 63 characters (pure). */
export function isDnsLabel(name: string): boolean {
  return DNS_LABEL.test(name);
}

function lenientStatus<T>(schema: z.ZodType<T>, status: unknown): T | undefined {
  if (status === undefined || status === null) return undefined;
  const parsed = schema.safeParse(status);
  if (parsed.success) return parsed.data;
  // Keep what can be kept: the conditions that parse and the observed generation.
  const raw = typeof status === 'object' ? (status as Record<string, unknown>) : {};
  const conditions = Array.isArray(raw.conditions) ? raw.conditions.flatMap((c) => { const r = Condition.safeParse(c); return r.success ? [r.data] : []; }) : [];
  const kept = { ...(typeof raw.observedGeneration === 'number' ? { observedGeneration: raw.observedGeneration } : {}), ...(conditions.length > 0 ? { conditions } : {}) };
  const retry = schema.safeParse(kept);
  return retry.success ? retry.data : undefined;
}

/**
 * validateResource parses `obj` as a resource of `kind` with `spec` and `status` schemas,
 * then runs `metadataCheck` and `crossCheck` (lookup-free rules zod cannot express);
 * when the schema fails, `looseCheck` checks the cross-field rules on what can be read,
 * skipping paths the schema already reported. Every issue is returned at once (pure).
 */
export function validateResource<S extends z.ZodType, T extends z.ZodType, R>(
  obj: unknown,
  kind: string,
  spec: S,
  status: T,
  build: (parts: { metadata: ResourceMeta; spec: z.infer<S>; status: z.infer<T> | undefined }) => R,
  crossCheck: (value: R) => string[],
  metadataCheck: (metadata: ResourceMeta) => string[] = () => [],
  looseCheck: (input: unknown) => string[] = () => [],
): ValidationResult<R> {
  const envelope = z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: ResourceMeta,
    spec,
  });
  const input = typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? obj : undefined;
  if (input === undefined) return { ok: false, issues: [`resource: must be a ${kind} object; got ${JSON.stringify(obj) ?? String(obj)}`] };
  const parsed = envelope.safeParse(input);
  if (!parsed.success) {
    // Metadata rules are still checked when the spec is bad, so one edit can fix all.
    const metadata = ResourceMeta.safeParse((input as Record<string, unknown>).metadata);
    const extra = metadata.success ? metadataCheck(metadata.data) : [];
    const schemaIssues = formatIssues(parsed.error.issues, input);
    const loose = looseCheck(input).filter((line) => !schemaIssues.some((known) => known.split(':')[0] === line.split(':')[0]));
    return { ok: false, issues: [...schemaIssues, ...extra, ...loose] };
  }
  const value = build({
    metadata: parsed.data.metadata,
    spec: (parsed.data as { spec: unknown }).spec as z.infer<S>,
    status: lenientStatus(status as z.ZodType<z.infer<T>>, (input as Record<string, unknown>).status),
  });
  const issues = [...metadataCheck(parsed.data.metadata), ...crossCheck(value)];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
