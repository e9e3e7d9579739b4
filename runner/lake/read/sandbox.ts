import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteStringList } from '../sql.ts';

/** Sandbox is a fresh in-memory DuckDB that runs user SQL; close() frees it and its scratch folder. */
export interface Sandbox {
  connection: DuckDBConnection;
  scratchDir: string;
  close(): Promise<void>;
}

/** SandboxOptions size the sandbox; defaults suit a small runner pod. */
export interface SandboxOptions {
  threads?: number;
  memoryLimit?: string;
}

/**
 * openSandbox creates the in-memory DuckDB a query runs in (side effect: a scratch folder
 * under `workDir`). Extensions can neither be installed nor auto-loaded, the session
 * time zone is UTC, and spills go to the scratch folder. Views are added next, then
 * lockSandbox closes it.
 */
export async function openSandbox(workDir: string, options: SandboxOptions = {}): Promise<Sandbox> {
  await mkdir(workDir, { recursive: true });
  const scratchDir = await mkdtemp(join(workDir, 'sandbox-'));
  const config: Record<string, string> = {
    extension_directory: join(scratchDir, 'extensions'),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    temp_directory: join(scratchDir, 'spill'),
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? '1GB',
  };
  const instance = await DuckDBInstance.create(':memory:', config);
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  let closed = false;
  return {
    connection,
    scratchDir,
    async close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
      await rm(scratchDir, { recursive: true, force: true });
    },
  };
}

/**
 * lockSandbox confines the sandbox for user SQL (side effect on its settings): file access
 * only under `readableDirs` and the spill folder, no external access otherwise, and the
 * configuration locked so no SET/RESET/PRAGMA can undo it.
 */
export async function lockSandbox(sandbox: Sandbox, readableDirs: readonly string[]): Promise<void> {
  const dirs = [...readableDirs, join(sandbox.scratchDir, 'spill')].map((dir) => (dir.endsWith('/') ? dir : `${dir}/`));
  await sandbox.connection.run(`SET allowed_directories = ${quoteStringList(dirs)}`);
  await sandbox.connection.run('SET enable_external_access = false');
  await sandbox.connection.run('SET lock_configuration = true');
}
