/**
 * The time a new snapshot records. DuckLake resolves `AT (TIMESTAMP => t)` by time, not
 * by id: the extension picks the snapshot with the greatest snapshot_time <= t (ORDER BY
 * snapshot_time DESC LIMIT 1, no tie-break), and so does readSnapshotAtTime. If a
 * writer's clock went backwards, a snapshot stamped before its predecessor would make a
 * time resolve to an older snapshot than one already committed at that time. The
 * extension itself writes NOW(); the format only asks for a TIMESTAMPTZ, so a later time
 * is as valid as the clock's.
 */

/**
 * nextSnapshotTime returns the snapshot_time of a new snapshot in microseconds since the
 * epoch (pure): the clock's `now`, or one microsecond after the previous snapshot's time
 * when the clock is not past it. Strictly increasing rather than merely not decreasing:
 * two snapshots with one time would leave the extension free to pick either for that time.
 * `previousMicros` is NULL when the previous snapshot has no time (never written by us or
 * the extension; then the clock wins).
 */
export function nextSnapshotTime(now: Date, previousMicros: bigint | null): bigint {
  const nowMicros = BigInt(now.getTime()) * 1000n;
  if (previousMicros === null || nowMicros > previousMicros) return nowMicros;
  return previousMicros + 1n;
}
