import { z } from 'zod';

/** RESULT_MAX_BYTES is the Kubernetes termination-message limit the result must fit in. */
export const RESULT_MAX_BYTES = 4096;

/** RunnerResult is the runner's output on the termination log (≤ 4 KiB). */
export const RunnerResult = z.object({
  op: z.string(),
  ok: z.boolean(),
  snapshotId: z.number().int().optional(),
  filesAdded: z.number().int().default(0),
  filesRemoved: z.number().int().default(0),
  bytesAdded: z.number().int().default(0),
  bytesRemoved: z.number().int().default(0),
  rows: z.number().int().default(0),
  durationMs: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  table: z
    .object({ rowCount: z.number().int(), fileCount: z.number().int(), schemaVersion: z.number().int(), bytes: z.number().int() })
    .optional(),
  query: z
    .object({ rows: z.number().int(), bytes: z.number().int(), outputLocation: z.string().optional(), preview: z.string() })
    .optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type RunnerResult = z.infer<typeof RunnerResult>;
