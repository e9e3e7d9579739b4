/**
 * Shared types of the local Kubernetes API server. The server core (store, HTTP, watch,
 * discovery) and the pure modules (patch/, schema/, openapi/) agree on these.
 */

/** JsonObject is a decoded JSON object (a Kubernetes object, a patch, a schema). */
export type JsonObject = { [key: string]: unknown };

/** JSONSchemaProps is a CRD structural schema node (apiextensions.k8s.io/v1), loosely typed. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  anyOf?: JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
  [extension: string]: unknown;
}

/** ValidationRule is one CEL rule of `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** PrinterColumn is one CRD `additionalPrinterColumns` entry (or a built-in kind's column). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/**
 * ResourceDescriptor describes one served resource (built-in or from a CRD version):
 * what discovery, routing, validation, OpenAPI and table output need.
 */
export interface ResourceDescriptor {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: { status: boolean };
  schema?: JSONSchemaProps; // the version's openAPIV3Schema (CRDs); built-ins may give a partial one
  printerColumns: PrinterColumn[];
  builtin: boolean;
}

/** StatusCause is one `metav1.StatusCause` of a 422 Invalid answer. */
export interface StatusCause {
  reason: string; // FieldValueRequired | FieldValueInvalid | FieldValueNotSupported | FieldValueTypeInvalid | FieldValueForbidden | FieldValueTooLong | FieldValueDuplicate | FieldValueUnknown
  message: string;
  field: string; // e.g. spec.columns[2].type
}
