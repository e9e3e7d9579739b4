import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildManifests } from '../../deploy/manifests.ts';
import { FUNCTION_PROFILES, PING_TYPE, SQS_TYPE, serviceName } from '../../deploy/handlers.ts';
import { DEAD_LETTER } from '../../deploy/manifest.ts';
import { DEFAULT_SETTINGS, parseSettings } from '../../deploy/settings.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };

const all = (settings = DEFAULT_SETTINGS): Obj[] => buildManifests(settings).map((manifest) => manifest.object as unknown as Obj);
const of = (objects: Obj[], kind: string) => objects.filter((object) => object.kind === kind);

test('ApiServerSources watch the three kinds, Featherman Jobs and pod template ConfigMaps in Reference mode, each under its own ServiceAccount, into the Broker', () => {
  const sources = of(all(), 'ApiServerSource') as unknown as { metadata: { name: string }; spec: { mode: string; serviceAccountName: string; resources: { kind: string; selector?: { matchLabels: Record<string, string> } }[]; sink: { ref: { kind: string } } } }[];
  assert.deepEqual(sources.map((source) => source.spec.resources[0]?.kind).sort(), ['ConfigMap', 'DuckLakeCatalog', 'DuckLakeQuery', 'DuckLakeTable', 'Job']);
  assert.ok(sources.every((source) => source.spec.mode === 'Reference' && source.spec.sink.ref.kind === 'Broker'));
  assert.equal(new Set(sources.map((source) => source.spec.serviceAccountName)).size, 5);
  const jobs = sources.find((source) => source.spec.resources[0]?.kind === 'Job');
  assert.deepEqual(jobs?.spec.resources[0]?.selector?.matchLabels, { 'app.kubernetes.io/managed-by': 'featherman' });
  const templates = sources.find((source) => source.spec.resources[0]?.kind === 'ConfigMap');
  assert.deepEqual(templates?.spec.resources[0]?.selector?.matchLabels, { 'featherman.dev/pod-template': 'true' }, 'only the labelled ConfigMaps, never all of them');
});

test('Triggers filter on type and kind, reach the right function, and retry with exponential backoff into the dead-letter sink', () => {
  const triggers = of(all(parseSettings({ s3: { sqs: { enabled: true } } })), 'Trigger') as unknown as { spec: { filter: { attributes: Record<string, string> }; subscriber: { ref: { name: string } }; delivery: { retry: number; backoffPolicy: string; deadLetterSink: { ref: { name: string } } } } }[];
  const routes = triggers.map((trigger) => `${trigger.spec.filter.attributes.type} ${trigger.spec.filter.attributes.kind ?? '-'} -> ${trigger.spec.subscriber.ref.name}`).sort();
  for (const kind of ['DuckLakeCatalog', 'DuckLakeTable', 'DuckLakeQuery']) {
    const handler = serviceName(`reconcile-${kind.slice('DuckLake'.length).toLowerCase()}`);
    for (const verb of ['add', 'update', 'delete']) assert.ok(routes.includes(`dev.knative.apiserver.ref.${verb} ${kind} -> ${handler}`), `${verb} ${kind}`);
  }
  assert.ok(routes.includes('dev.knative.apiserver.ref.update Job -> featherman-job-finished'));
  for (const verb of ['add', 'update', 'delete']) assert.ok(routes.includes(`dev.knative.apiserver.ref.${verb} ConfigMap -> featherman-reconcile-catalog`), `${verb} ConfigMap`);
  assert.ok(routes.includes(`${PING_TYPE} - -> featherman-sweep`));
  assert.ok(routes.includes(`${SQS_TYPE} - -> featherman-s3-object`));
  for (const trigger of triggers) {
    assert.ok(trigger.spec.delivery.retry >= 3);
    assert.equal(trigger.spec.delivery.backoffPolicy, 'exponential');
    assert.equal(trigger.spec.delivery.deadLetterSink.ref.name, DEAD_LETTER);
  }
});

test('one Knative Service per function: scale to zero except admission (min 1), handler env, cluster-local', () => {
  const services = of(all(), 'Service') as unknown as { metadata: { name: string; labels: Record<string, string> }; spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containerConcurrency: number; timeoutSeconds: number; containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[] } } } }[];
  for (const profile of FUNCTION_PROFILES) {
    const service = services.find((candidate) => candidate.metadata.name === serviceName(profile.name));
    assert.ok(service, profile.name);
    assert.equal(service.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'], profile.name === 'admission' ? '1' : '0');
    assert.equal(service.metadata.labels['networking.knative.dev/visibility'], 'cluster-local');
    assert.ok(service.spec.template.spec.containerConcurrency > 0 && service.spec.template.spec.timeoutSeconds > 0);
    const env = service.spec.template.spec.containers[0]?.env ?? [];
    assert.equal(env.find((variable) => variable.name === 'FEATHERMAN_HANDLER')?.value, profile.name);
    assert.equal(env.find((variable) => variable.name === 'FEATHERMAN_RUNNER_IMAGE')?.value, DEFAULT_SETTINGS.images.runner);
  }
  const s3 = services.find((service) => service.metadata.name === 'featherman-s3-object');
  assert.deepEqual(s3?.spec.template.spec.containers[0]?.env.find((variable) => variable.name === 'FEATHERMAN_S3_WEBHOOK_TOKEN')?.valueFrom, { secretKeyRef: { name: 'featherman-s3-webhook', key: 'token' } });
});

test('the sweep PingSource takes its schedule from the settings and the SQS source reads SQS, never S3', () => {
  const objects = all(parseSettings({ sweep: { schedule: '*/15 * * * *' }, s3: { sqs: { enabled: true } } }));
  const ping = of(objects, 'PingSource')[0] as unknown as { spec: { schedule: string; sink: { ref: { kind: string } } } };
  assert.equal(ping.spec.schedule, '*/15 * * * *');
  const source = of(objects, 'IntegrationSource')[0] as unknown as { spec: { aws: Record<string, unknown> } };
  assert.deepEqual(Object.keys(source.spec.aws).sort(), ['auth', 'sqs']);
  assert.equal(of(all(), 'IntegrationSource').length, 0);
});

test('the NetworkPolicy admits only the eventing and serving data planes, the ingress and the API server', () => {
  const policy = of(all(), 'NetworkPolicy')[0] as unknown as { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { from: Record<string, unknown>[] }[] } };
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  assert.equal(policy.spec.podSelector.matchLabels['app.kubernetes.io/part-of'], 'featherman');
  const from = policy.spec.ingress.flatMap((rule) => rule.from);
  const namespaces = from.map((peer) => (peer.namespaceSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels?.['kubernetes.io/metadata.name']).filter(Boolean);
  assert.deepEqual(namespaces, ['knative-eventing', 'knative-serving', 'kourier-system']);
  assert.deepEqual(from.filter((peer) => peer.ipBlock !== undefined), [{ ipBlock: { cidr: DEFAULT_SETTINGS.networkPolicy.apiServerCidr } }]);
});

test('the admission webhook calls the admission Service over TLS with the CA injected, and fails closed', () => {
  const webhook = of(all(), 'ValidatingWebhookConfiguration')[0] as unknown as { metadata: { annotations: Record<string, string> }; webhooks: { failurePolicy: string; clientConfig: { service: { name: string; port: number } }; rules: { resources: string[] }[] }[] };
  assert.equal(webhook.metadata.annotations['cert-manager.io/inject-ca-from-secret'], DEFAULT_SETTINGS.admission.caSecret);
  assert.equal(webhook.webhooks[0]?.clientConfig.service.name, 'featherman-admission');
  assert.equal(webhook.webhooks[0]?.clientConfig.service.port, 443);
  assert.equal(webhook.webhooks[0]?.failurePolicy, 'Fail');
  assert.deepEqual(webhook.webhooks[0]?.rules[0]?.resources, ['ducklakecatalogs', 'ducklaketables', 'ducklakequeries']);
});

test('bad values are refused with the field, the rule and nothing built', () => {
  assert.throws(() => parseSettings({ functions: { maxScale: 'ten' } }), /functions\.maxScale/);
  assert.throws(() => parseSettings({ s3: { sqs: { enabled: 'yes' } } }), /s3\.sqs\.enabled/);
});

test('every image the install runs is pinned by a version tag or a digest', () => {
  const images = JSON.stringify(all()).match(/"image":"[^"]+"/g) ?? [];
  assert.ok(images.length >= 8);
  for (const image of [...images, `"image":"${DEFAULT_SETTINGS.images.runner}"`]) assert.match(image, /(:\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})"$/, image);
});
