/**
 * S3 object notifications in the shapes events.md describes, built from one object event
 * of the embedded S3 server (pure builders).
 */
import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { S3ObjectEvent } from '../s3/embedded-s3.ts';
import { binaryMessage, type OutgoingMessage } from './delivery.ts';

/**
 * S3NotificationShape: `cloudevent` (default) is a Knative IntegrationSource `aws-sqs`
 * CloudEvent whose data is the AWS record JSON; `aws` is that JSON as a plain POST;
 * `minio` is MinIO's webhook body.
 */
export type S3NotificationShape = 'cloudevent' | 'aws' | 'minio';

/** awsEncodeKey URL-encodes a key the way AWS puts it in a record: slashes kept, spaces as `+` (pure). */
export function awsEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** minioEncodeKey query-escapes a key like Go's url.QueryEscape, as MinIO's record does (`/` → %2F, space → `+`) (pure). */
export function minioEncodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function stripPrefix(eventName: string): string {
  return eventName.replace(/^s3:/, '');
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

/** NotificationContext holds what the record needs beyond the object event. */
export interface NotificationContext {
  region: string;
  configurationId: string;
  /** endpoint is the S3 server URL (MinIO's x-minio-origin-endpoint). */
  endpoint: string;
  principalId: string;
}

/** buildAwsRecord builds an AWS S3 event record (eventVersion 2.1, encoded key; removals carry no size or eTag) (pure). */
export function buildAwsRecord(event: S3ObjectEvent, context: NotificationContext): Record<string, unknown> {
  const name = stripPrefix(event.eventName);
  const removed = name.startsWith('ObjectRemoved');
  const object: Record<string, unknown> = { key: awsEncodeKey(event.s3.object.key) };
  if (!removed && event.s3.object.size !== undefined) object.size = event.s3.object.size;
  if (!removed && event.s3.object.eTag !== undefined) object.eTag = event.s3.object.eTag;
  object.sequencer = event.s3.object.sequencer;
  const bucket = event.s3.bucket.name;
  return {
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: context.region,
    eventTime: event.eventTime, eventName: name,
    userIdentity: { principalId: `AWS:${context.principalId}` },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': randomHex(8), 'x-amz-id-2': randomBytes(24).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0', configurationId: context.configurationId,
      bucket: { name: bucket, ownerIdentity: { principalId: context.principalId }, arn: `arn:aws:s3:::${bucket}` },
      object,
    },
  };
}

/** buildMinioBody builds MinIO's webhook body: EventName, the unescaped `bucket/key` Key, and a minio:s3 record (pure). */
export function buildMinioBody(event: S3ObjectEvent, context: NotificationContext): Record<string, unknown> {
  const eventName = `s3:${stripPrefix(event.eventName)}`;
  const removed = eventName.startsWith('s3:ObjectRemoved');
  const bucket = event.s3.bucket.name;
  const object: Record<string, unknown> = { key: minioEncodeKey(event.s3.object.key) };
  if (!removed) {
    if (event.s3.object.size !== undefined) object.size = event.s3.object.size;
    if (event.s3.object.eTag !== undefined) object.eTag = event.s3.object.eTag;
    object.contentType = 'application/octet-stream';
    object.userMetadata = {};
  }
  // MinIO's sequencer is the modification time in nanoseconds, as hex.
  object.sequencer = (BigInt(Date.parse(event.eventTime) || Date.now()) * 1_000_000n).toString(16).toUpperCase();
  const record = {
    eventVersion: '2.0', eventSource: 'minio:s3', awsRegion: '',
    eventTime: event.eventTime, eventName,
    userIdentity: { principalId: context.principalId },
    requestParameters: { principalId: context.principalId, region: '', sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': randomHex(8), 'x-amz-id-2': randomHex(8).toLowerCase(), 'x-minio-origin-endpoint': context.endpoint },
    s3: {
      s3SchemaVersion: '1.0', configurationId: context.configurationId,
      bucket: { name: bucket, ownerIdentity: { principalId: context.principalId }, arn: `arn:aws:s3:::${bucket}` },
      object,
    },
    source: { host: '127.0.0.1', port: '', userAgent: 'featherman-local' },
  };
  return { EventName: eventName, Key: `${bucket}/${event.s3.object.key}`, Records: [record] };
}

let sqsSequence = 0;

/** sqsMessageId is an id shaped like the IntegrationSource's (`9CC70D09569020C-0000000000000001`). */
export function sqsMessageId(): string {
  sqsSequence += 1;
  return `${randomHex(8).slice(0, 15)}-${String(sqsSequence).padStart(16, '0')}`;
}

/**
 * buildS3Notification renders one object event in a shape, ready to POST: a binary
 * CloudEvent, or plain JSON (MinIO adds `Authorization: Bearer <token>` when given) (pure
 * apart from random ids).
 */
export function buildS3Notification(event: S3ObjectEvent, shape: S3NotificationShape, context: NotificationContext, authToken?: string): OutgoingMessage {
  if (shape === 'minio') {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authToken) headers.authorization = `Bearer ${authToken}`;
    return { headers, body: JSON.stringify(buildMinioBody(event, context)) };
  }
  const body = { Records: [buildAwsRecord(event, context)] };
  if (shape === 'aws') return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const cloudEvent = new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: sqsMessageId(),
    source: 'dev.knative.eventing.aws-sqs-source',
    type: 'dev.knative.connector.event.aws-sqs',
    subject: 'aws-sqs-source',
    datacontenttype: 'application/json',
    data: body,
  });
  return binaryMessage(cloudEvent);
}
