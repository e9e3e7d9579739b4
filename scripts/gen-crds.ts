// scripts/gen-crds.ts writes crds/<plural>.yaml from the zod schemas in api/ (npm run gen:crds).
import { writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './crd-files.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [name, text] of renderCrdFiles()) {
  await writeFile(join(root, 'crds', name), text);
  console.log(`wrote crds/${name}`);
}
