import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_SETTINGS } from '../../deploy/settings.ts';
import { FUNCTIONS_RUNTIME_ENV } from '../../functions/runtime-env.ts';

interface Stage {
  from: string;
  lines: string[];
}

/** stagesOf splits a Dockerfile into its stages, ARG defaults substituted into FROM (pure). */
function stagesOf(text: string): Stage[] {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const arg = /^ARG\s+(\w+)=(\S+)$/.exec(line);
    if (arg?.[1] !== undefined && arg[2] !== undefined && stages.length === 0) args.set(arg[1], arg[2]);
    const from = /^FROM\s+(\S+)/.exec(line);
    if (from?.[1] !== undefined) stages.push({ from: from[1].replace(/\$\{(\w+)\}/g, (_all, name: string) => args.get(name) ?? `\${${name}}`), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

// Both images run esbuild bundles: the runner's dist/runner.mjs (with its code cache), the functions' functions.cjs.
const IMAGES = [
  { image: 'runner', argv: ['node', 'dist/runner.mjs'], source: 'runner/main.ts', runnerBundle: true },
  { image: 'functions', argv: ['node', 'functions.cjs'], source: 'functions/main.ts', runnerBundle: false },
] as const;

for (const { image, argv: expected, source, runnerBundle } of IMAGES) {
  test(`docker/${image}.Dockerfile: multi-stage, pinned, non-root, no build tools in the final image, read-only root FS ready`, () => {
    const stages = stagesOf(readFileSync(`docker/${image}.Dockerfile`, 'utf8'));
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const stage of stages) assert.match(stage.from, /^node:\d+\.\d+\.\d+-[a-z]+(-slim)?$/, `pinned base ${stage.from}`);
    const final = stages.at(-1);
    assert.ok(final);
    assert.match(final.from, /-slim$/, 'the final stage uses the slim image, which has no compiler');
    const body = final.lines.join('\n');
    assert.doesNotMatch(body, /apt-get install|apk add|npm (ci|install)|build-essential|g\+\+|python3/, 'nothing is built or installed in the final stage');
    assert.match(body, /rm -rf [^\n]*\/usr\/local\/bin\/npm/, 'npm removed');
    const user = /^USER\s+(\d+)(?::(\d+))?$/m.exec(body);
    assert.ok(user && Number(user[1]) !== 0, 'numeric non-root USER');
    assert.doesNotMatch(body, /--import tsx/, 'no tsx at run time');
    assert.match(body, /TMPDIR=\/tmp/);
    const entrypoint = /^ENTRYPOINT\s+(\[.*\])$/m.exec(body);
    assert.ok(entrypoint?.[1]);
    const argv = JSON.parse(entrypoint[1]) as string[];
    assert.deepEqual(argv, expected);
    assert.ok(existsSync(source));
    if (runnerBundle) {
      const build = stages.find((stage) => stage.lines.some((line) => /^RUN node --import tsx scripts\/build-runner\.ts dist /.test(line)));
      assert.ok(build && build !== final, 'an earlier stage builds the bundle');
      assert.match(build.lines.join('\n'), /build-runner\.ts dist && test -s dist\/runner\.cjs\.cache/, 'and its code cache');
      assert.match(body, /^COPY --from=\S+ .*\/app\/dist \.\/dist$/m, 'the final stage gets the bundle');
      assert.doesNotMatch(body, /^COPY .*\brunner\b/m, 'the final stage has no runner sources');
    }
    assert.ok(existsSync(`docker/${image}.Dockerfile.dockerignore`));
  });
}

test('the functions image bundles functions/main.ts and runs it with FUNCTIONS_RUNTIME_ENV', () => {
  const text = readFileSync('docker/functions.Dockerfile', 'utf8');
  assert.match(text, /RUN node --import tsx functions\/bundle\.ts dist\/functions\.cjs/);
  assert.match(text, /COPY --from=bundle [^\n]*\/app\/dist\/functions\.cjs \.\/functions\.cjs/);
  for (const [name, value] of Object.entries(FUNCTIONS_RUNTIME_ENV)) assert.match(text, new RegExp(`^ENV [^\\n]*\\b${name}=${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'm'), name);
});

test('func.yaml names the functions image the install uses and a real handler', () => {
  const func = parse(readFileSync('func.yaml', 'utf8')) as { name: string; image: string; namespace: string; run: { envs: { name: string; value: string }[] }; deploy: { serviceAccountName: string } };
  assert.equal(func.image, DEFAULT_SETTINGS.images.functions);
  assert.equal(func.namespace, DEFAULT_SETTINGS.namespace);
  const handler = func.run.envs.find((env) => env.name === 'FEATHERMAN_HANDLER')?.value;
  assert.equal(func.deploy.serviceAccountName, `featherman-${handler ?? ''}`);
  assert.equal(func.run.envs.find((env) => env.name === 'FEATHERMAN_RUNNER_IMAGE')?.value, DEFAULT_SETTINGS.images.runner);
  for (const [name, value] of Object.entries(FUNCTIONS_RUNTIME_ENV)) assert.equal(func.run.envs.find((env) => env.name === name)?.value, value, name);
});
