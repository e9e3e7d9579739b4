import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * tempDir creates a fresh folder under the OS temp dir (side effect); with a test context
 * it is removed after the test, otherwise the caller removes it (see removeDir).
 */
export async function tempDir(t?: TestContext, prefix = 'fm-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t?.after(() => removeDir(dir));
  return dir;
}

/** removeDir deletes a folder and everything in it, ignoring a missing one (side effect). */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
