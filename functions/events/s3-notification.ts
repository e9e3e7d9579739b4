/**
 * parseS3Notification reads S3 object notifications in the shapes events.md §2 lists: the
 * AWS S3 event JSON (straight, inside an SQS body, or inside an SNS envelope), the MinIO
 * webhook body (capitalised top level, `s3:` prefixes), and the same JSON as CloudEvent
 * data. Keys are query-escaped with `+` for spaces and are decoded here. The S3 test
 * event, unknown shapes and records that make no sense become Ignored, never a throw. Pure.
 */
import { ignore, isObject, textField, type Ignored } from './outcome.ts';

/** S3Action groups event names: objects that appeared, objects that went, anything else. */
export type S3Action = 'created' | 'removed' | 'other';

/** S3Record is one object change, key decoded. Removal records have no size or eTag. */
export interface S3Record {
  bucket: string;
  key: string;
  action: S3Action;
  /** eventName without the `s3:` prefix, e.g. `ObjectCreated:Put`. */
  eventName: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  eventTime?: string;
}

/** S3Notification is the records of one message and the reasons records were skipped. */
export interface S3Notification {
  kind: 's3';
  shape: 'aws' | 'minio';
  records: S3Record[];
  skipped: string[];
}

/** decodeS3Key turns a notification key (`day+1%2Fpart%3D1.csv`) into the object key (`day 1/part=1.csv`); undefined when the escapes are broken (pure). */
export function decodeS3Key(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** actionOf classifies an event name with or without the `s3:` prefix (pure). */
export function actionOf(eventName: string): S3Action {
  if (eventName.startsWith('ObjectCreated:')) return 'created';
  if (eventName.startsWith('ObjectRemoved:') && eventName !== 'ObjectRemoved:NoOP') return 'removed';
  if (eventName.startsWith('LifecycleExpiration:Delete')) return 'removed';
  return 'other';
}

/** s3RecordKey is the dedup key of a record: bucket, key and version, eTag or sequencer (pure). */
export function s3RecordKey(record: S3Record): string {
  return `${record.bucket}/${record.key}@${record.versionId ?? record.eTag ?? record.sequencer ?? ''}`;
}

function parseRecord(raw: unknown, index: number): S3Record | string {
  if (!isObject(raw)) return `Records[${index}] is not an object`;
  const s3 = isObject(raw.s3) ? raw.s3 : undefined;
  const bucket = s3 && isObject(s3.bucket) ? textField(s3.bucket, 'name') : undefined;
  const object = s3 && isObject(s3.object) ? s3.object : undefined;
  const rawKey = object ? textField(object, 'key') : undefined;
  const eventName = (textField(raw, 'eventName') ?? '').replace(/^s3:/, '');
  if (bucket === undefined || object === undefined || rawKey === undefined) return `Records[${index}] has no s3.bucket.name or s3.object.key`;
  const key = decodeS3Key(rawKey);
  if (key === undefined) return `Records[${index}].s3.object.key has broken escapes: ${JSON.stringify(rawKey)}`;
  const size = object.size;
  const text = (field: string) => textField(object, field);
  const record: S3Record = { bucket, key, action: actionOf(eventName), eventName };
  if (typeof size === 'number' && Number.isInteger(size) && size >= 0) record.size = size;
  const eTag = text('eTag');
  if (eTag !== undefined) record.eTag = eTag.replace(/^"|"$/g, '');
  const versionId = text('versionId');
  if (versionId !== undefined) record.versionId = versionId;
  const sequencer = text('sequencer');
  if (sequencer !== undefined) record.sequencer = sequencer;
  const eventTime = textField(raw, 'eventTime');
  if (eventTime !== undefined) record.eventTime = eventTime;
  return record;
}

function fromText(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * parseS3Notification parses one notification body (an object, or its JSON text) into
 * records (pure). Loops over `Records`; a record that cannot be read is skipped with a
 * reason while the others are kept.
 */
export function parseS3Notification(body: unknown, depth = 0): S3Notification | Ignored {
  const value = typeof body === 'string' ? fromText(body) : body;
  if (!isObject(value)) return ignore('the body is not a JSON object, so it is no S3 notification');
  if (textField(value, 'Event') === 's3:TestEvent') return ignore('the S3 test event needs no action');
  // SNS without raw delivery wraps the S3 JSON in a string field.
  if (value.Type === 'Notification' && typeof value.Message === 'string' && depth === 0) return parseS3Notification(value.Message, 1);
  if (!Array.isArray(value.Records)) return ignore('the body has no Records list, so it is no S3 notification');
  const first: unknown = value.Records[0];
  const minio = 'EventName' in value || (isObject(first) && first.eventSource === 'minio:s3');
  const records: S3Record[] = [];
  const skipped: string[] = [];
  value.Records.forEach((raw, index) => {
    const parsed = parseRecord(raw, index);
    if (typeof parsed === 'string') skipped.push(parsed);
    else records.push(parsed);
  });
  if (records.length === 0 && skipped.length > 0) return ignore(`no record could be read: ${skipped.join('; ')}`);
  return { kind: 's3', shape: minio ? 'minio' : 'aws', records, skipped };
}
