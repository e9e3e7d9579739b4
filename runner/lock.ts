import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { flock } from 'fs-ext';
import { FeathermanError } from './errors.ts';

/** CatalogLock is a held flock on `<catalog>.lock`; release() is idempotent. */
export interface CatalogLock {
  readonly path: string;
  readonly mode: 'exclusive' | 'shared';
  /** release drops the lock by closing its file (side effect). */
  release(): void;
}

/** LOCK_POLL_MS is the pause between non-blocking attempts. */
export const LOCK_POLL_MS = 50;

function tryFlock(fd: number, flags: 'exnb' | 'shnb'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    flock(fd, flags, (error) => {
      if (!error) resolve(true);
      else if (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK') resolve(false);
      else reject(error);
    });
  });
}

// A read-only catalog volume (read operations) cannot create or write the lock file, but
// flock works on a descriptor opened for reading.
function openLockFile(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return openSync(path, 'r');
    throw error;
  }
}

/** formatSeconds renders a wait for the lock message: `0.3`, `2`, `60` (pure). */
export function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * acquireCatalogLock takes flock on `<catalogPath>.lock` (created when missing): exclusive
 * for writers, shared for readers (side effects: the file, the lock). It polls with
 * non-blocking attempts so the event loop keeps running, and fails after `timeoutMs` with
 * FM_ERR_LOCK_TIMEOUT. The kernel drops the lock when the process dies.
 */
export async function acquireCatalogLock(catalogPath: string, mode: 'exclusive' | 'shared', timeoutMs: number): Promise<CatalogLock> {
  const path = `${catalogPath}.lock`;
  let fd: number;
  try {
    fd = openLockFile(path);
  } catch (error) {
    // No folder (or, on a read-only volume, no lock file) means no writer ever set the catalog up.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FeathermanError('FM_ERR_CATALOG_MISSING', `catalog ${catalogPath} does not exist: cannot create its lock file ${path}`, { cause: error });
    }
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(await tryFlock(fd, mode === 'exclusive' ? 'exnb' : 'shnb'))) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const holder = mode === 'exclusive' ? 'another reader or writer' : 'another writer';
        throw new FeathermanError('FM_ERR_LOCK_TIMEOUT', `catalog ${catalogPath} is locked by ${holder}; waited ${formatSeconds(timeoutMs)} s`);
      }
      await sleep(Math.min(LOCK_POLL_MS, left));
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let held = true;
  return {
    path,
    mode,
    release() {
      if (!held) return;
      held = false;
      closeSync(fd);
    },
  };
}
