/**
 * The environment the functions process runs with, in one place: the image (docker/
 * functions.Dockerfile), func.yaml, the Knative Services (deploy/services.ts) and
 * bench:functions use it, and a unit test keeps them equal. No side effects.
 */

/**
 * FUNCTIONS_RUNTIME_ENV is the environment the functions process runs with.
 * MALLOC_MMAP_THRESHOLD_: V8 parses and compiles the 4 MB bundle in zone memory (32 MB at
 * the peak, freed at once); from glibc's brk heap that memory stays in RSS, fragmented,
 * while mmap-backed blocks go back to the kernel: 113 → 80 MiB RSS at ready.
 * NODE_OPTIONS --max-semi-space-size=1: a 1 MiB young generation (V8 grows it to 16 MiB
 * under allocation), enough for a function that handles one small event at a time.
 */
export const FUNCTIONS_RUNTIME_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '32768',
  NODE_OPTIONS: '--max-semi-space-size=1',
};
