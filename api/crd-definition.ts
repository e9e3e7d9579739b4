import type { z } from 'zod';

/** PrinterColumnDefinition is one `additionalPrinterColumns` entry. */
export interface PrinterColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** CelRule is one `x-kubernetes-validations` entry. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/**
 * CrdDefinition is everything the CRD generator needs about one kind: names, the zod
 * schemas of spec and status, printer columns, and the CEL rules on `spec`.
 */
export interface CrdDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumnDefinition[];
  specValidations: CelRule[];
}

/** API_GROUP and API_VERSION of every Featherman resource. */
export const API_GROUP = 'ducklake.featherman.dev';
export const API_VERSION = 'v1alpha1';
