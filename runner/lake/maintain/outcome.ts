import type { OpOutcome } from '../../ops/context.ts';

/** maintenanceOutcome fills the counters an operation did not set with 0 (pure). */
export function maintenanceOutcome(summary: string, fields: Partial<Omit<OpOutcome, 'summary'>> = {}): OpOutcome {
  return { filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, ...fields, summary };
}
