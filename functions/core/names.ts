/**
 * Every Kubernetes name and label Featherman derives lives here. Names are deterministic
 * (a replayed event maps to the same Job name, so creating it again is AlreadyExists),
 * at most 63 characters, and get a hash suffix when they have to be cut. Pure.
 */
import { createHash } from 'node:crypto';

/** MAX_NAME is the limit of a DNS label, of a label value and of a Job name (its pods carry it as a label). */
export const MAX_NAME = 63;

/** FINALIZER is the finalizer Featherman puts on catalogs and tables. */
export const FINALIZER = 'ducklake.featherman.dev/finalizer';

/** LABELS are the label keys on everything Featherman creates. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  catalog: 'featherman.dev/catalog',
  table: 'featherman.dev/table',
  query: 'featherman.dev/query',
  operation: 'featherman.dev/operation',
  ownerUid: 'featherman.dev/owner-uid',
  generation: 'featherman.dev/generation',
  /** podTemplate marks a runner pod template ConfigMap (`"true"`): the sources watch those, so a fix reaches its catalogs at once. */
  podTemplate: 'featherman.dev/pod-template',
} as const;

/** MANAGED_BY is the value of app.kubernetes.io/managed-by. */
export const MANAGED_BY = 'featherman';

/** JobOp is the operation a runner Job performs, as its name and label spell it. */
export type JobOp =
  | 'init-catalog' | 'apply-table' | 'drop-table' | 'ingest' | 'query'
  | 'expire-rows' | 'expire-snapshots' | 'cleanup-files' | 'compact' | 'check' | 'backup' | 'restore';

/** ownerJobSelector is the label selector of the Featherman Jobs of one resource (pure). */
export function ownerJobSelector(uid: string): string {
  return `${LABELS.managedBy}=${MANAGED_BY},${LABELS.ownerUid}=${labelValue(uid)}`;
}

/** shortHash is the first `length` hex digits of SHA-256 over the parts joined by NUL (pure). */
export function shortHash(parts: readonly string[], length = 8): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

function sanitize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * boundedName joins `prefix` and `readable` with a hyphen and, when that is too long, cuts
 * `readable` and appends an 8-digit hash of the whole, so distinct inputs stay distinct
 * (pure). The result is a DNS label: lower-case letters, digits and hyphens.
 */
export function boundedName(prefix: string, readable: string, max = MAX_NAME): string {
  const full = [sanitize(prefix), sanitize(readable)].filter((part) => part !== '').join('-') || 'x';
  if (full.length <= max) return full;
  const hash = shortHash([prefix, readable]);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** JobNameInput identifies one unit of work on one resource. */
export interface JobNameInput {
  /** name of the resource, kept readable in the Job name. */
  name: string;
  /** uid of the resource: a re-created resource of the same name gets new Jobs. */
  uid: string;
  generation: number;
  op: JobOp;
  /** timeBucket groups repeated work (e.g. ingests) so one bucket gives one Job. */
  timeBucket?: string;
}

/**
 * jobName is `fm-<op>-<name>-<hash>` where the hash covers uid, generation, op and time
 * bucket (pure): the same event replayed gives the same name, a new generation or bucket
 * a new one. The name part is cut so the whole fits 63 characters.
 */
export function jobName(input: JobNameInput): string {
  const hash = shortHash([input.uid, String(input.generation), input.op, input.timeBucket ?? '']);
  const head = `fm-${input.op}`;
  const room = MAX_NAME - head.length - hash.length - 2;
  const readable = sanitize(input.name).slice(0, Math.max(0, room)).replace(/-+$/, '');
  return [head, readable, hash].filter((part) => part !== '').join('-');
}

/** minuteBucket is the UTC minute of `now` as `YYYYMMDDHHmm` (pure): objects landing in one minute share an ingest Job. */
export function minuteBucket(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** timeBucket is the start of the `seconds`-long window holding `now`, as `YYYYMMDDHHmmss` (pure). */
export function timeBucket(now: Date, seconds: number): string {
  const step = Math.max(1, Math.floor(seconds)) * 1000;
  return new Date(Math.floor(now.getTime() / step) * step).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** catalogPvcName is the name of a catalog's volume claim: `fm-catalog-<catalog>` (pure). */
export function catalogPvcName(catalog: string): string {
  return boundedName('fm-catalog', catalog);
}

/** catalogLockName names the lock of a catalog (a Lease, or the lock file's stem) (pure). */
export function catalogLockName(catalog: string): string {
  return boundedName('fm-lock', catalog);
}

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * labelValue makes any text a valid label value (pure): at most 63 characters of letters,
 * digits, `-`, `_`, `.`, starting and ending alphanumeric; cut with a hash suffix when long.
 */
export function labelValue(text: string): string {
  if (text.length <= MAX_NAME && LABEL_VALUE.test(text)) return text;
  const cleaned = text.replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  const hash = shortHash([text]);
  const head = cleaned.slice(0, MAX_NAME - hash.length - 1).replace(/[^A-Za-z0-9]+$/, '');
  return head === '' ? hash : `${head}-${hash}`;
}

/** isLabelValue reports whether a text is a valid label value (pure). */
export function isLabelValue(text: string): boolean {
  return text.length <= MAX_NAME && LABEL_VALUE.test(text);
}

/**
 * eventName is `<involved>.<hash>` for a core/v1 Event (pure): the hash covers the
 * involved uid, reason and `key` (a generation, Job name or time bucket), so the same
 * occurrence reported twice is one Event, not two.
 */
export function eventName(involvedName: string, involvedUid: string, reason: string, key: string): string {
  const hash = shortHash([involvedUid, reason, key], 16);
  return `${involvedName.slice(0, 253 - hash.length - 1)}.${hash}`;
}
