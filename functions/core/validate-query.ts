import { z } from 'zod';
import { DuckLakeQuerySpec, DuckLakeQueryStatus } from '../../api/ducklake-query.ts';
import { issue, type ValidationResult } from '../../api/issues.ts';
import { API_VERSION, type DuckLakeQuery } from './resources.ts';
import { validateResource } from './validate-resource.ts';

const RFC3339 = z.iso.datetime({ offset: true });

/**
 * checkQuery holds the lookup-free rules the schema cannot say (pure): SQL that is not
 * blank, exactly one of snapshot.id and snapshot.timestamp, and a timestamp in RFC 3339.
 */
export function checkQuery(query: DuckLakeQuery): string[] {
  return checkQuerySpec(query.spec);
}

/** checkQuerySpec runs checkQuery's rules on what can be read of a spec, valid or not (pure). */
export function checkQuerySpec(spec: { sql?: unknown; snapshot?: unknown }): string[] {
  const issues: string[] = [];
  const sql = spec.sql;
  const raw = typeof spec.snapshot === 'object' && spec.snapshot !== null ? (spec.snapshot as Record<string, unknown>) : undefined;
  const snapshot = raw && { id: raw.id, timestamp: raw.timestamp };
  if (typeof sql === 'string' && sql.trim() === '') issues.push(issue(['spec', 'sql'], 'must hold one SELECT statement, not only blanks', sql));
  if (snapshot !== undefined) {
    if ((snapshot.id === undefined) === (snapshot.timestamp === undefined)) {
      issues.push(issue(['spec', 'snapshot'], 'must set exactly one of id and timestamp', raw));
    }
    if (typeof snapshot.timestamp === 'string' && !RFC3339.safeParse(snapshot.timestamp).success) {
      issues.push(issue(['spec', 'snapshot', 'timestamp'], 'must be an RFC 3339 time with a zone such as 2026-08-20T10:00:00Z', snapshot.timestamp));
    }
  }
  return issues;
}

/**
 * validateQuery parses a DuckLakeQuery with the api/ zod schemas plus checkQuery,
 * returning the typed resource or every issue at once (pure).
 */
export function validateQuery(obj: unknown): ValidationResult<DuckLakeQuery> {
  return validateResource(
    obj,
    'DuckLakeQuery',
    DuckLakeQuerySpec,
    DuckLakeQueryStatus,
    ({ metadata, spec, status }): DuckLakeQuery => ({ apiVersion: API_VERSION, kind: 'DuckLakeQuery', metadata, spec, ...(status ? { status } : {}) }),
    checkQuery,
    () => [],
    (input) => {
      const spec = typeof input === 'object' && input !== null ? (input as { spec?: unknown }).spec : undefined;
      return typeof spec === 'object' && spec !== null ? checkQuerySpec(spec) : [];
    },
  );
}
