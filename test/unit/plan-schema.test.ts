import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Plan } from '../../api/plan.ts';
import { buildPlanSchemaText, PLAN_SCHEMA_PATH } from '../../scripts/gen-plan-schema.ts';

const DOC_PATH = join(PLAN_SCHEMA_PATH, '..', '..', 'docs', 'plans.md');

/** jsonBlocks returns the ```json fenced blocks of a Markdown text. */
function jsonBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

test('the committed api/plan.schema.json equals what gen:schemas generates', () => {
  assert.equal(readFileSync(PLAN_SCHEMA_PATH, 'utf8'), buildPlanSchemaText(), 'run npm run gen:schemas and commit api/plan.schema.json');
});

test('docs/plans.md has a valid example plan for every operation', () => {
  const blocks = jsonBlocks(readFileSync(DOC_PATH, 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8')) as object);
  const seen = new Set<string>();
  for (const block of blocks) {
    const input = JSON.parse(block) as unknown;
    const parsed = Plan.safeParse(input);
    assert.ok(parsed.success, `${block}\n${JSON.stringify(parsed.error?.issues)}`);
    assert.ok(validate(input), `${block}\n${JSON.stringify(validate.errors)}`);
    seen.add(parsed.data.op);
  }
  const ops = Plan.options.map((option) => option.shape.op.value);
  assert.deepEqual([...seen].sort(), [...ops].sort());
});

test('the JSON Schema rejects what the zod Plan rejects at the surface', () => {
  const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8')) as object);
  assert.equal(validate({ op: 'init-catalog', catalog: { name: 'x', path: '/c' } }), false, 'objectStore is required');
  assert.equal(validate({ op: 'vacuum', catalog: { name: 'x', path: '/c' }, objectStore: { bucket: 'lake' } }), false);
  assert.equal(validate({ op: 'init-catalog', catalog: { name: 'x', path: '/c' }, objectStore: { bucket: 'lake' } }), true);
});
