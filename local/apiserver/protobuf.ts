/**
 * Decoding the Kubernetes protobuf bodies that kubectl's typed `create` commands send
 * (`application/vnd.kubernetes.protobuf`: "k8s\0" + runtime.Unknown), for the simple kinds
 * only: ConfigMap, Secret, Namespace and ServiceAccount. Other kinds answer 415 (pure).
 */
import { ApiError, badRequest } from './status.ts';
import type { JsonObject } from './types.ts';

/** PROTOBUF_MEDIA_TYPE is the Content-Type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

interface Field { number: number; bytes?: Buffer; varint?: number }

function readVarint(buffer: Buffer, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = start;
  for (;;) {
    const byte = buffer[position];
    if (byte === undefined) throw badRequest('protobuf: truncated varint');
    position += 1;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: position };
    shift += 7;
    if (shift > 63) throw badRequest('protobuf: varint too long');
  }
}

/** readFields splits one protobuf message into its fields (varints and length-delimited only, as these kinds use). */
function readFields(buffer: Buffer): Field[] {
  const fields: Field[] = [];
  let position = 0;
  while (position < buffer.length) {
    const key = readVarint(buffer, position);
    position = key.next;
    const number = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (wireType === 0) {
      const varint = readVarint(buffer, position);
      fields.push({ number, varint: varint.value });
      position = varint.next;
    } else if (wireType === 2) {
      const length = readVarint(buffer, position);
      const end = length.next + length.value;
      if (end > buffer.length) throw badRequest('protobuf: truncated field');
      fields.push({ number, bytes: buffer.subarray(length.next, end) });
      position = end;
    } else if (wireType === 1 || wireType === 5) {
      position += wireType === 1 ? 8 : 4;
    } else {
      throw badRequest(`protobuf: unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

function text(field: Field): string {
  return field.bytes?.toString('utf8') ?? '';
}

function mapEntries(fields: Field[], number: number, asBase64: boolean): JsonObject | undefined {
  const entries = fields.filter((field) => field.number === number && field.bytes);
  if (entries.length === 0) return undefined;
  const result: JsonObject = {};
  for (const entry of entries) {
    const parts = readFields(entry.bytes ?? Buffer.alloc(0));
    const key = parts.find((part) => part.number === 1);
    const value = parts.find((part) => part.number === 2);
    result[key ? text(key) : ''] = asBase64 ? (value?.bytes ?? Buffer.alloc(0)).toString('base64') : value ? text(value) : '';
  }
  return result;
}

/** decodeObjectMeta reads the client-settable members of ObjectMeta. */
function decodeObjectMeta(buffer: Buffer): JsonObject {
  const fields = readFields(buffer);
  const meta: JsonObject = {};
  const names: Record<number, string> = { 1: 'name', 2: 'generateName', 3: 'namespace' };
  for (const field of fields) {
    const name = names[field.number];
    if (name && text(field) !== '') meta[name] = text(field);
  }
  const labels = mapEntries(fields, 11, false);
  const annotations = mapEntries(fields, 12, false);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  const finalizers = fields.filter((field) => field.number === 14).map(text);
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

type Decoder = (fields: Field[], object: JsonObject) => void;

const DECODERS: Record<string, Decoder> = {
  ConfigMap: (fields, object) => {
    const data = mapEntries(fields, 2, false);
    const binaryData = mapEntries(fields, 3, true);
    if (data) object.data = data;
    if (binaryData) object.binaryData = binaryData;
    const immutable = fields.find((field) => field.number === 4);
    if (immutable) object.immutable = immutable.varint === 1;
  },
  Secret: (fields, object) => {
    const data = mapEntries(fields, 2, true);
    const stringData = mapEntries(fields, 4, false);
    if (data) object.data = data;
    if (stringData) object.stringData = stringData;
    const type = fields.find((field) => field.number === 3);
    if (type && text(type) !== '') object.type = text(type);
    const immutable = fields.find((field) => field.number === 5);
    if (immutable) object.immutable = immutable.varint === 1;
  },
  Namespace: (fields, object) => {
    const spec = fields.find((field) => field.number === 2);
    const finalizers = spec?.bytes ? readFields(spec.bytes).filter((field) => field.number === 1).map(text) : [];
    if (finalizers.length > 0) object.spec = { finalizers };
  },
  ServiceAccount: (fields, object) => {
    const automount = fields.find((field) => field.number === 4);
    if (automount) object.automountServiceAccountToken = automount.varint === 1;
  },
};

/** decodeProtobufObject decodes a protobuf body into a JSON object; 415 for kinds it cannot decode. */
export function decodeProtobufObject(body: Buffer): JsonObject {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw badRequest('protobuf: the body does not start with the Kubernetes magic number');
  const envelope = readFields(body.subarray(4));
  const typeMeta = readFields(envelope.find((field) => field.number === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = text(typeMeta.find((field) => field.number === 1) ?? { number: 1 });
  const kind = text(typeMeta.find((field) => field.number === 2) ?? { number: 2 });
  const decoder = apiVersion === 'v1' ? DECODERS[kind] : undefined;
  if (!decoder) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf only for v1 ConfigMap, Secret, Namespace, ServiceAccount; got ${apiVersion} ${kind})`);
  }
  const fields = readFields(envelope.find((field) => field.number === 2)?.bytes ?? Buffer.alloc(0));
  const object: JsonObject = { apiVersion, kind, metadata: decodeObjectMeta(fields.find((field) => field.number === 1)?.bytes ?? Buffer.alloc(0)) };
  decoder(fields, object);
  return object;
}
