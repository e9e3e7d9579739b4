/**
 * The generator (CLI): writes knative/ (kustomize base for the default settings),
 * charts/featherman/ (the chart), dashboards/ (Grafana JSON and the kube-state-metrics
 * config) from deploy/*.ts. `--check` writes nothing and exits 1 when a file differs.
 * `--values <file.yaml> --out <dir>` writes a kustomize base for other settings.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildChartFiles, buildKustomizeFiles } from './chart.ts';
import { buildDashboard } from './dashboard.ts';
import { KSM_CONFIG } from './kube-state-metrics.ts';
import { DEFAULT_SETTINGS, parseSettings } from './settings.ts';

/** generatedFiles returns every generated file (repository path → text) for a repository root (reads crds/). */
export function generatedFiles(root: string): Map<string, string> {
  const crds = new Map<string, string>();
  for (const name of readdirSync(join(root, 'crds')).filter((file) => file.endsWith('.yaml')).sort()) crds.set(name, readFileSync(join(root, 'crds', name), 'utf8'));
  const out = new Map<string, string>();
  for (const [file, text] of buildKustomizeFiles(DEFAULT_SETTINGS)) out.set(`knative/${file}`, text);
  for (const [file, text] of buildChartFiles(crds)) out.set(`charts/featherman/${file}`, text);
  out.set('dashboards/featherman.json', `${JSON.stringify(buildDashboard(), null, 2)}\n`);
  out.set('dashboards/kube-state-metrics.yaml', stringify(KSM_CONFIG, { lineWidth: 0 }));
  return out;
}

/** writeFiles writes path → text under a directory (side effect: files). */
export function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [file, text] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}

function main(argv: string[]): number {
  const root = process.cwd();
  const valuesAt = argv.indexOf('--values');
  if (valuesAt >= 0) {
    const settings = parseSettings(parse(readFileSync(argv[valuesAt + 1] ?? '', 'utf8')));
    const outAt = argv.indexOf('--out');
    writeFiles(argv[outAt + 1] ?? 'out', buildKustomizeFiles(settings));
    return 0;
  }
  const files = generatedFiles(root);
  if (argv.includes('--check')) {
    const stale = [...files].filter(([file, text]) => !existsSync(join(root, file)) || readFileSync(join(root, file), 'utf8') !== text).map(([file]) => file);
    for (const file of stale) process.stderr.write(`stale: ${file} (run npm run gen:deploy)\n`);
    return stale.length === 0 ? 0 : 1;
  }
  writeFiles(root, files);
  process.stdout.write(`wrote ${files.size} files\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
