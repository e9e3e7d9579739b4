// gen-plan-schema writes api/plan.schema.json, the JSON Schema of the runner's plan input,
// from the zod `Plan` (npm run gen:schemas). test/unit/plan-schema.test.ts fails when the
// committed file differs from what this generates.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Plan } from '../api/plan.ts';

/** PLAN_SCHEMA_PATH is where the generated schema is committed. */
export const PLAN_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'api', 'plan.schema.json');

/**
 * buildPlanSchemaText renders the plan's JSON Schema (input side: fields with defaults are
 * optional) as stable, pretty JSON text (pure).
 */
export function buildPlanSchemaText(): string {
  const schema = z.toJSONSchema(Plan, { io: 'input', unrepresentable: 'any' });
  const document = { $id: 'https://featherman.dev/schemas/runner-plan.json', title: 'Featherman runner plan', ...schema };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(PLAN_SCHEMA_PATH, buildPlanSchemaText());
  process.stdout.write(`wrote ${PLAN_SCHEMA_PATH}\n`);
}
