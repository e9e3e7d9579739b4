// hold-lock is a child process for lock tests: it takes the catalog lock named on the
// command line, prints `locked` on stdout, and holds it until it is killed.
import { acquireCatalogLock } from '../../runner/lock.ts';

const [catalogPath, mode] = process.argv.slice(2);
if (!catalogPath || (mode !== 'exclusive' && mode !== 'shared')) {
  process.stderr.write('usage: hold-lock <catalogPath> exclusive|shared\n');
  process.exit(2);
}
await acquireCatalogLock(catalogPath, mode, 10_000);
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
