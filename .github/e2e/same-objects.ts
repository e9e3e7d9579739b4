/**
 * CI helper (CLI): exits 1 unless two multi-document YAML files hold the same objects,
 * compared by kind/namespace/name after parsing (helm template vs kubectl kustomize).
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

function load(path: string): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const object = document.toJS() as Obj | null;
    if (object === null) continue;
    // helm adds no labels of its own to these templates; keep the comparison exact.
    out.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
  }
  return out;
}

const [a, b] = [load(process.argv[2] ?? ''), load(process.argv[3] ?? '')];
const differing = [...new Set([...a.keys(), ...b.keys()])].filter((key) => !isDeepStrictEqual(a.get(key), b.get(key)));
for (const key of differing) process.stderr.write(`differs: ${key}\n`);
process.exitCode = differing.length === 0 && a.size > 0 ? 0 : 1;
