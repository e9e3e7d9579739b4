/**
 * The local stand-in for the bucket notification: each object event of the embedded S3
 * server becomes one notification POSTed to the s3-object function, in the configured shape.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../../runner/log.ts';
import type { S3ObjectEvent } from '../s3/embedded-s3.ts';
import { deliver, DEFAULT_DELIVERY, type DeliveryOutcome, type DeliveryPolicy } from './delivery.ts';
import { buildS3Notification, type S3NotificationShape } from './s3-notification.ts';

/** S3SourceOptions configure the notification: where, which shape, which objects. */
export interface S3SourceOptions {
  /** events is the embedded S3 server's emitter (`object` events). */
  events: EventEmitter;
  /** sink is the s3-object function URL. */
  sink: string;
  logger: Logger;
  /** shape defaults to `cloudevent` (Knative IntegrationSource aws-sqs). */
  shape?: S3NotificationShape;
  /** authToken is sent as `Authorization: Bearer` in the `minio` shape. */
  authToken?: string;
  /** endpoint of the S3 server, for MinIO's origin header. */
  endpoint?: string;
  /** buckets limits the notification to these buckets (default all). */
  buckets?: readonly string[];
  /** prefix and suffix filter keys like a notification configuration's filter rules. */
  prefix?: string;
  suffix?: string;
  region?: string;
  delivery?: DeliveryPolicy;
  onDelivered?: (outcome: DeliveryOutcome) => void;
}

/** S3Source is a running notification; close() stops listening and cancels sends in flight. */
export interface S3Source {
  close(): Promise<void>;
}

/** startS3Source subscribes to the object events (side effects: HTTP POSTs, logs). */
export function startS3Source(options: S3SourceOptions): S3Source {
  const shape = options.shape ?? 'cloudevent';
  const inFlight = new Set<Promise<unknown>>();
  const closing = new AbortController();
  const context = {
    region: options.region ?? 'us-east-1',
    configurationId: 'featherman-landing',
    endpoint: options.endpoint ?? '',
    principalId: 'FEATHERMANLOCAL',
  };
  const listener = (event: S3ObjectEvent): void => {
    const key = event.s3.object.key;
    if (options.buckets && !options.buckets.includes(event.s3.bucket.name)) return;
    if (options.prefix && !key.startsWith(options.prefix)) return;
    if (options.suffix && !key.endsWith(options.suffix)) return;
    const message = buildS3Notification(event, shape, context, options.authToken);
    const describe = { source: 's3', eventName: event.eventName, bucket: event.s3.bucket.name, key };
    const sending = deliver(options.sink, message, options.delivery ?? DEFAULT_DELIVERY, options.logger, describe, closing.signal)
      .then((outcome) => options.onDelivered?.(outcome));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  };
  options.events.on('object', listener);
  options.logger.info({ shape, sink: options.sink }, 'S3 notifications on');
  return {
    close: async () => {
      options.events.off('object', listener);
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
