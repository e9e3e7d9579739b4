import { z } from 'zod';

/** Condition is one `status.conditions` entry in the kstatus / metav1.Condition shape. */
export const Condition = z.object({
  type: z.string().max(316).describe('Condition type: Ready, Reconciling or Degraded.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Whether the condition holds.'),
  reason: z.string().max(1024).describe('CamelCase reason, e.g. InvalidSpec, CatalogNotReady, JobRunning, JobFailed.'),
  message: z.string().max(32768).describe('One sentence a person can act on.'),
  lastTransitionTime: z.string().describe('When the status last changed (RFC 3339).'),
  observedGeneration: z.number().int().optional().describe('The generation this condition was computed from.'),
});
export type Condition = z.infer<typeof Condition>;

/** Phase is the coarse state shown in `kubectl get`. */
export const Phase = z.enum(['Pending', 'Running', 'Succeeded', 'Failed']);
export type Phase = z.infer<typeof Phase>;

/**
 * MaintenanceFailure is the last failed run of a periodic operation that no later run of
 * the same operation has made good. It outlives the failed Job, which is deleted an hour
 * after it finishes.
 */
export const MaintenanceFailure = z.object({
  operation: z.string().max(32).describe('The runner operation: expire-rows, compact, expire-snapshots, check, cleanup-files or backup.'),
  job: z.string().max(63).describe('The Job that failed.'),
  failedAt: z.string().describe('When it failed (RFC 3339).'),
  message: z.string().max(1024).describe("The runner's error."),
});
export type MaintenanceFailure = z.infer<typeof MaintenanceFailure>;
