/**
 * A runner bundle that is never stale: local mode, the tests and the benches run the
 * runner the way its image does (`node <bundle>/runner.mjs`), built from the sources in
 * this checkout. Bundles live in `.cache/runner-bundle/<key>/` under the repository (the
 * external native modules resolve from its node_modules); `latest.json` records which
 * files went into the newest one and their hashes, so an unchanged checkout reuses it and
 * any edit (or a new file under runner/ops, which the glob import would pick up, a changed
 * lock file, or a change to the build script) rebuilds it. Concurrent processes build
 * into private folders and rename them into place, so none ever runs a half-written
 * bundle. A build takes ~1 s: esbuild, then the training run that writes the code cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRunnerBundle, REPO_ROOT, RUNNER_BUNDLE_ENTRY } from '../scripts/build-runner.ts';

/** RUNNER_BUNDLE_CACHE is the folder that holds the bundles built from this checkout. */
export const RUNNER_BUNDLE_CACHE = join(REPO_ROOT, '.cache', 'runner-bundle');

// The dependency files are covered by the lock files; the sources are hashed one by one.
const ALWAYS_HASHED = ['package-lock.json', 'node_modules/.package-lock.json', 'scripts/build-runner.ts'];
const GLOB_DIRS = ['runner/ops'];
const STALE_BUNDLE_MS = 10 * 60_000;

interface Manifest {
  key: string;
  hashes: Record<string, string>;
}

async function hashOf(relative: string): Promise<string> {
  const text = await readFile(join(REPO_ROOT, relative)).catch(() => undefined);
  return text === undefined ? 'missing' : createHash('sha256').update(text).digest('hex');
}

async function listingOf(relative: string): Promise<string> {
  const names = await readdir(join(REPO_ROOT, relative)).catch(() => []);
  return names.filter((name) => name.endsWith('.ts')).sort().join('\n');
}

// What decides the bundle's content: its source files, the lock files, and the folders it globs.
async function hashesOf(sources: readonly string[]): Promise<Record<string, string>> {
  const entries = await Promise.all([
    ...[...sources, ...ALWAYS_HASHED].map(async (file) => [file, await hashOf(file)] as const),
    ...GLOB_DIRS.map(async (dir) => [`${dir}/`, await listingOf(dir)] as const),
  ]);
  return Object.fromEntries(entries);
}

function keyOf(hashes: Record<string, string>): string {
  const text = Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)).map(([file, hash]) => `${file}\0${hash}`).join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

async function freshBundle(): Promise<string | undefined> {
  const text = await readFile(join(RUNNER_BUNDLE_CACHE, 'latest.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const manifest = JSON.parse(text) as Manifest;
  const now = await hashesOf(Object.keys(manifest.hashes).filter((file) => !ALWAYS_HASHED.includes(file) && !file.endsWith('/')));
  const entry = join(RUNNER_BUNDLE_CACHE, manifest.key, RUNNER_BUNDLE_ENTRY);
  if (keyOf(now) !== manifest.key || !existsSync(entry)) return undefined;
  // A bundle in use is recent: pruneOthers leaves it for the processes still starting from it.
  const at = new Date();
  await utimes(join(RUNNER_BUNDLE_CACHE, manifest.key), at, at).catch(() => undefined);
  return entry;
}

async function pruneOthers(keep: string): Promise<void> {
  const names = await readdir(RUNNER_BUNDLE_CACHE).catch(() => []);
  for (const name of names.filter((entry) => /^[0-9a-f]{16}$/.test(entry) && entry !== keep)) {
    const dir = join(RUNNER_BUNDLE_CACHE, name);
    const info = await stat(dir).catch(() => undefined);
    // A bundle used in the last minutes may still be what another process starts runners from.
    if (info && Date.now() - info.mtimeMs > STALE_BUNDLE_MS) await rm(dir, { recursive: true, force: true });
  }
}

async function buildIntoCache(): Promise<string> {
  const scratch = join(RUNNER_BUNDLE_CACHE, `build-${process.pid}-${randomUUID()}`);
  await mkdir(scratch, { recursive: true });
  try {
    const inputs = await buildRunnerBundle(scratch);
    const hashes = await hashesOf(inputs.filter((file) => !file.includes('node_modules/')));
    const key = keyOf(hashes);
    const target = join(RUNNER_BUNDLE_CACHE, key);
    if (!existsSync(join(target, RUNNER_BUNDLE_ENTRY))) {
      await rm(target, { recursive: true, force: true });
      await rename(scratch, target).catch((error: unknown) => {
        // Another process renamed the same bundle into place first.
        if (!existsSync(join(target, RUNNER_BUNDLE_ENTRY))) throw error;
      });
    }
    const manifest = join(RUNNER_BUNDLE_CACHE, `latest-${process.pid}-${randomUUID()}.json`);
    await writeFile(manifest, JSON.stringify({ key, hashes } satisfies Manifest));
    await rename(manifest, join(RUNNER_BUNDLE_CACHE, 'latest.json'));
    await pruneOthers(key);
    return join(target, RUNNER_BUNDLE_ENTRY);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

let pending: Promise<string> | undefined;

/**
 * ensureRunnerBundle returns the path of a runner bundle built from the current sources,
 * building it when none is (side effects: files under RUNNER_BUNDLE_CACHE). The check runs
 * once per process: a checkout edited while a process runs is picked up by the next one.
 */
export function ensureRunnerBundle(): Promise<string> {
  pending ??= (async () => (await freshBundle()) ?? (await buildIntoCache()))();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * runnerNodeArguments are the `node` arguments that start the runner: the fresh bundle
 * (as a Job's container runs it), or `entry` when given, a `.ts` entry through tsx (tests
 * that replace the runner). Side effects: those of ensureRunnerBundle.
 */
export async function runnerNodeArguments(entry?: string): Promise<string[]> {
  if (entry === undefined) return [await ensureRunnerBundle()];
  return entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
}
