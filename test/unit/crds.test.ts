import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderCrdFiles } from '../../scripts/crd-files.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Node = { [key: string]: unknown };

function walk(node: unknown, path: string, visit: (node: Node, path: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return;
  const object = node as Node;
  visit(object, path);
  const properties = object.properties as Node | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (object.items) walk(object.items, `${path}[]`, visit);
}

test('the committed CRD YAML files are what the generator writes (run npm run gen:crds)', async () => {
  for (const [name, text] of renderCrdFiles()) {
    const committed = await readFile(join(root, 'crds', name), 'utf8');
    assert.equal(committed, text, `crds/${name} drifted from api/; run npm run gen:crds`);
  }
});

test('every CRD schema is structural: no $ref, no anyOf/oneOf, no additionalProperties false', () => {
  for (const [name, text] of renderCrdFiles()) {
    assert.doesNotMatch(text, /\$ref|anyOf|oneOf|additionalProperties: false/, name);
  }
});

test('every spec and status field has a description for kubectl explain', () => {
  for (const [name, text] of renderCrdFiles()) {
    const crd = parse(text) as { spec: { versions: Array<{ schema: { openAPIV3Schema: Node } }> } };
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Node;
    const missing: string[] = [];
    for (const part of ['spec', 'status']) {
      walk(root[part], part, (node, path) => {
        for (const [field, child] of Object.entries((node.properties as Node | undefined) ?? {})) {
          if (typeof (child as Node).description !== 'string') missing.push(`${path}.${field}`);
        }
      });
    }
    assert.deepEqual(missing, [], `${name}: fields without a description`);
  }
});

test('each CRD has its short name, the ducklake category and the status subresource', () => {
  const expected: Record<string, string> = { 'ducklakecatalogs.yaml': 'dlc', 'ducklaketables.yaml': 'dlt', 'ducklakequeries.yaml': 'dlq' };
  for (const [name, text] of renderCrdFiles()) {
    const crd = parse(text) as { spec: { names: { shortNames: string[]; categories: string[] }; versions: Array<{ subresources: Node }> } };
    assert.deepEqual(crd.spec.names.shortNames, [expected[name]]);
    assert.deepEqual(crd.spec.names.categories, ['ducklake']);
    assert.deepEqual(crd.spec.versions[0]?.subresources, { status: {} });
  }
});
