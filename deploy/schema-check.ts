/**
 * checkManifests: validates Kubernetes objects offline against the kubernetes-models and
 * @kubernetes-models/knative schemas, strictly. Their `validate()` catches missing fields and
 * wrong types but not unknown fields, so every object is also type-checked with the
 * TypeScript compiler as an object literal of the model's interface: an excess property at
 * any depth is an error (open maps typed `{}` stay open). Kinds without an npm model use the
 * interfaces in deploy/schemas/. Side effects: reads type declarations from node_modules.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

interface ModelRef {
  module: string;
  name: string;
  /** validate is false for our own interfaces (no compiled validator). */
  validate: boolean;
}

const K = (path: string, name: string): ModelRef => ({ module: `kubernetes-models/${path}`, name, validate: true });
const KN = (path: string, name: string): ModelRef => ({ module: `@kubernetes-models/knative/${path}`, name, validate: true });
const OWN = (path: string, name: string): ModelRef => ({ module: `./schemas/${path}.ts`, name, validate: false });

/** MODELS maps `apiVersion/kind` to the model that checks it. */
export const MODELS: Readonly<Record<string, ModelRef>> = {
  'v1/Namespace': K('v1', 'Namespace'),
  'v1/ServiceAccount': K('v1', 'ServiceAccount'),
  'v1/ConfigMap': K('v1', 'ConfigMap'),
  'v1/Secret': K('v1', 'Secret'),
  'v1/Pod': K('v1', 'Pod'),
  'v1/Service': K('v1', 'Service'),
  'apps/v1/Deployment': K('apps/v1', 'Deployment'),
  'batch/v1/Job': K('batch/v1', 'Job'),
  'rbac.authorization.k8s.io/v1/ClusterRole': K('rbac.authorization.k8s.io/v1', 'ClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': K('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
  'rbac.authorization.k8s.io/v1/Role': K('rbac.authorization.k8s.io/v1', 'Role'),
  'rbac.authorization.k8s.io/v1/RoleBinding': K('rbac.authorization.k8s.io/v1', 'RoleBinding'),
  'networking.k8s.io/v1/NetworkPolicy': K('networking.k8s.io/v1', 'NetworkPolicy'),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': K('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': K('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
  'serving.knative.dev/v1/Service': KN('serving.knative.dev/v1', 'Service'),
  'eventing.knative.dev/v1/Broker': KN('eventing.knative.dev/v1', 'Broker'),
  'eventing.knative.dev/v1/Trigger': KN('eventing.knative.dev/v1', 'Trigger'),
  'sources.knative.dev/v1/ApiServerSource': KN('sources.knative.dev/v1', 'ApiServerSource'),
  'sources.knative.dev/v1/PingSource': KN('sources.knative.dev/v1', 'PingSource'),
  'sources.knative.dev/v1alpha1/IntegrationSource': OWN('integration-source', 'IntegrationSource'),
  'external-secrets.io/v1/ExternalSecret': OWN('external-secret', 'ExternalSecret'),
  'external-secrets.io/v1/SecretStore': OWN('external-secret', 'SecretStore'),
};

/** ManifestIssue is one finding: which object, and what is wrong. */
export interface ManifestIssue {
  object: string;
  message: string;
}

function describe(object: Record<string, unknown>): string {
  const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(object.kind)} ${meta.namespace === undefined ? '' : `${meta.namespace}/`}${meta.name ?? '(no name)'}`;
}

function typeCheck(objects: Record<string, unknown>[], models: ModelRef[]): ManifestIssue[] {
  const file = join(import.meta.dirname, '__schema_check__.ts');
  const imports = models.map((model, index) => `import type { I${model.name} as T${index} } from ${JSON.stringify(model.module)};`);
  const starts: number[] = [];
  const body: string[] = [];
  let line = imports.length;
  objects.forEach((object, index) => {
    const json = JSON.stringify(object, null, 1);
    starts.push(line);
    body.push(`export const m${index}: T${index} = ${json};`);
    line += json.split('\n').length;
  });
  const text = [...imports, ...body].join('\n');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, types: [], lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => (name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, onError, create));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file);
  const issues: ManifestIssue[] = [];
  for (const diagnostic of [...program.getSemanticDiagnostics(source), ...program.getSyntacticDiagnostics(source)]) {
    const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : 0;
    let index = starts.findIndex((start, i) => at >= start && (starts[i + 1] === undefined || at < (starts[i + 1] ?? 0)));
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (index < 0) index = 0;
    const object = objects[index];
    const where = object === undefined ? 'imports' : describe(object);
    const lineText = text.split('\n')[at]?.trim() ?? '';
    issues.push({ object: where, message: `${message.split('. ')[0] ?? message} (at ${lineText.slice(0, 80)})` });
  }
  return issues;
}

const require = createRequire(import.meta.url);

function modelValidate(object: Record<string, unknown>, model: ModelRef): ManifestIssue[] {
  if (!model.validate) return [];
  const exports = require(model.module) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = exports[model.name];
  if (Model === undefined) return [{ object: describe(object), message: `no model ${model.name} in ${model.module}` }];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [{ object: describe(object), message: error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error) }];
  }
}

/** checkManifests returns every schema issue of the objects; an unknown apiVersion/kind is itself an issue. */
export function checkManifests(objects: Record<string, unknown>[]): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const known: Record<string, unknown>[] = [];
  const models: ModelRef[] = [];
  for (const object of objects) {
    const model = MODELS[`${String(object.apiVersion)}/${String(object.kind)}`];
    if (model === undefined) {
      issues.push({ object: describe(object), message: `apiVersion/kind: must be one of ${Object.keys(MODELS).join(', ')}; got "${String(object.apiVersion)}/${String(object.kind)}"` });
      continue;
    }
    known.push(object);
    models.push(model);
    issues.push(...modelValidate(object, model));
  }
  if (known.length > 0) issues.push(...typeCheck(known, models));
  return issues;
}
