/**
 * Validating admission webhooks in local mode: for a CREATE or UPDATE that a stored
 * ValidatingWebhookConfiguration matches, POST an AdmissionReview v1 to its
 * `clientConfig.url` and reject with its message; `failurePolicy` decides what a failed
 * call does (side effects: network).
 */
import { randomUUID } from 'node:crypto';
import type { ServerContext } from './context.ts';
import type { ServedResource } from './registry.ts';
import { ApiError, internalError } from './status.ts';
import type { JsonObject } from './types.ts';

const STORAGE_KEY = 'admissionregistration.k8s.io/validatingwebhookconfigurations';

/** AdmissionInput describes the write under admission. */
export interface AdmissionInput {
  operation: 'CREATE' | 'UPDATE';
  served: ServedResource;
  subresource: string | undefined;
  object: JsonObject;
  oldObject: JsonObject | undefined;
  namespace: string | undefined;
  name: string;
  dryRun: boolean;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function obj(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as JsonObject : {};
}

function includes(values: unknown, wanted: string): boolean {
  return list(values).some((value) => value === '*' || value === wanted);
}

function matchesLabels(selector: unknown, labels: unknown): boolean {
  const matchLabels = obj(obj(selector).matchLabels);
  const have = obj(labels);
  return Object.entries(matchLabels).every(([key, value]) => have[key] === value);
}

/** webhookMatches tells whether one webhook's rules and object selector cover the write (pure). */
export function webhookMatches(webhook: JsonObject, input: AdmissionInput): boolean {
  const { group, version, plural, namespaced } = input.served.descriptor;
  const resource = input.subresource ? `${plural}/${input.subresource}` : plural;
  const ruleMatches = list(webhook.rules).map(obj).some((rule) => {
    const scope = typeof rule.scope === 'string' ? rule.scope : '*';
    const scopeOk = scope === '*' || (scope === 'Namespaced') === namespaced;
    const resourceOk = list(rule.resources).some((entry) => entry === '*' || entry === resource || (entry === `${plural}/*` && input.subresource !== undefined) || (entry === '*/*'));
    return scopeOk && resourceOk && includes(rule.operations, input.operation) && includes(rule.apiGroups, group) && includes(rule.apiVersions, version);
  });
  return ruleMatches && matchesLabels(webhook.objectSelector, obj(input.object.metadata).labels);
}

function buildReview(input: AdmissionInput): JsonObject {
  const { group, version, kind, plural } = input.served.descriptor;
  const request: JsonObject = {
    uid: randomUUID(),
    kind: { group, version, kind },
    resource: { group, version, resource: plural },
    requestKind: { group, version, kind },
    requestResource: { group, version, resource: plural },
    name: input.name,
    operation: input.operation,
    userInfo: { username: 'featherman-local', groups: ['system:masters', 'system:authenticated'] },
    object: input.object,
    oldObject: input.oldObject ?? null,
    dryRun: input.dryRun,
    options: { kind: input.operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
  };
  if (input.subresource) request.subResource = input.subresource;
  if (input.namespace) request.namespace = input.namespace;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

async function callWebhook(url: string, review: JsonObject, timeoutMs: number): Promise<JsonObject> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(review),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`the server responded with status ${response.status}`);
  return obj(obj(await response.json()).response);
}

/** deniedError builds the rejection kube-apiserver returns for a denying webhook (pure). */
export function deniedError(webhookName: string, result: JsonObject): ApiError {
  const deniedBy = `admission webhook "${webhookName}" denied the request`;
  const code = typeof result.code === 'number' && result.code >= 400 ? result.code : 400;
  const reason = typeof result.reason === 'string' ? result.reason : '';
  let message = `${deniedBy} without explanation`;
  if (typeof result.message === 'string' && result.message !== '') message = `${deniedBy}: ${result.message}`;
  else if (reason) message = `${deniedBy}: ${reason}`;
  return new ApiError(code, reason, message);
}

/**
 * runValidatingWebhooks calls every matching webhook in turn; throws the denial (or, with
 * failurePolicy Fail, the call failure) as an ApiError; returns the webhooks' warnings.
 */
export async function runValidatingWebhooks(ctx: ServerContext, input: AdmissionInput): Promise<string[]> {
  if (input.served.storageKey === STORAGE_KEY) return [];
  const warnings: string[] = [];
  for (const configuration of ctx.store.list(STORAGE_KEY)) {
    for (const webhook of list(configuration.webhooks).map(obj)) {
      if (!webhookMatches(webhook, input)) continue;
      const name = String(webhook.name ?? '');
      const url = obj(webhook.clientConfig).url;
      const timeoutMs = (typeof webhook.timeoutSeconds === 'number' ? webhook.timeoutSeconds : 10) * 1000;
      let result: JsonObject;
      try {
        if (typeof url !== 'string') throw new Error('only clientConfig.url is supported in local mode');
        result = await callWebhook(url, buildReview(input), timeoutMs);
      } catch (error) {
        if (webhook.failurePolicy === 'Ignore') {
          ctx.logger.warn({ webhook: name, err: error }, 'webhook call failed; failurePolicy Ignore lets the request through');
          continue;
        }
        throw internalError(`failed calling webhook "${name}": failed to call webhook: ${(error as Error).message}`);
      }
      warnings.push(...list(result.warnings).map(String));
      if (result.allowed !== true) throw deniedError(name, obj(result.status));
    }
  }
  return warnings;
}
