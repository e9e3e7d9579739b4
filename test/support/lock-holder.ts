import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOLD_LOCK_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'hold-lock.ts');

/** LockHolder is a child process holding a catalog lock until kill() (or SIGKILL). */
export interface LockHolder {
  child: ChildProcess;
  /** kill sends the signal and waits for the process to exit (side effect). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * holdLockInChild spawns a node process that takes the lock on `<catalogPath>.lock` in
 * `mode` and resolves once it reports holding it (side effect: a child process).
 */
export async function holdLockInChild(catalogPath: string, mode: 'exclusive' | 'shared'): Promise<LockHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLD_LOCK_SCRIPT, catalogPath, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('locked')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before locking: ${output}`)));
  });
  return {
    child,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
