/**
 * Applying a PATCH body of each media type to the current object, mapping the patch
 * modules' errors to metav1.Status answers (pure).
 */
import type { PatchType } from './body.ts';
import { applyJsonPatch } from './patch/json-patch.ts';
import { applyMergePatch } from './patch/merge-patch.ts';
import { PatchError } from './patch/patch-error.ts';
import { applyServerSideApply } from './patch/server-side-apply.ts';
import { applyStrategicMergePatch } from './patch/strategic-merge.ts';
import { ApiError, badRequest } from './status.ts';
import type { JSONSchemaProps, JsonObject } from './types.ts';

/** PatchInput is what one PATCH asks for. */
export interface PatchInput {
  type: PatchType;
  patch: unknown;
  apiVersion: string;
  kind: string;
  fieldManager: string | undefined;
  force: boolean;
  now: Date;
  /** schema is the CRD version schema (custom resources), which tells server-side apply how lists merge. */
  schema?: JSONSchemaProps;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function patchFailure(error: unknown): never {
  if (error instanceof PatchError) {
    throw new ApiError(error.status, error.reason, error.message);
  }
  throw error;
}

/** conflictMessage words server-side apply conflicts as kube-apiserver does. */
export function conflictMessage(conflicts: string[]): string {
  const count = conflicts.length;
  return `Apply failed with ${count} conflict${count === 1 ? '' : 's'}: ${conflicts.join('\n')}`;
}

/**
 * applyPatch returns the patched object (`current` undefined only for server-side apply
 * of a new object); throws 400/409/415/422 ApiErrors.
 */
export function applyPatch(current: JsonObject | undefined, input: PatchInput): JsonObject {
  try {
    if (input.type === 'apply') {
      if (!input.fieldManager) {
        throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
          group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        });
      }
      if (!isObject(input.patch)) throw badRequest('error decoding YAML: the apply patch must be an object');
      const { object, conflicts } = applyServerSideApply(current, input.patch, {
        fieldManager: input.fieldManager, force: input.force, apiVersion: input.apiVersion, kind: input.kind, now: input.now, schema: input.schema,
      });
      if (conflicts.length > 0) throw new ApiError(409, 'Conflict', conflictMessage(conflicts), { kind: input.kind });
      return object;
    }
    if (!current) throw new Error('applyPatch needs the current object');
    let result: unknown;
    if (input.type === 'json') result = applyJsonPatch(current, input.patch);
    else if (input.type === 'merge') {
      if (!isObject(input.patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      result = applyMergePatch(current, input.patch);
    } else {
      if (!isObject(input.patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      result = applyStrategicMergePatch(current, input.patch, input.apiVersion, input.kind);
    }
    if (!isObject(result)) throw new ApiError(422, 'Invalid', 'the patched object is not a JSON object');
    return result;
  } catch (error) {
    return patchFailure(error);
  }
}
