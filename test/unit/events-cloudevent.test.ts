import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCloudEventRequest, parseCloudEvent, type IncomingEvent } from '../../functions/events/cloudevent.ts';
import { parseApiServerEvent } from '../../functions/events/apiserver-event.ts';
import { parsePingEvent } from '../../functions/events/ping-event.ts';
import { asBinary, asStructured, readEventFixture } from './events-fixtures.ts';

function parsed(request: { headers: Record<string, string>; body: string }): IncomingEvent {
  const event = parseCloudEvent(request.headers, request.body);
  assert.ok(!('kind' in event), `expected an event, got ${JSON.stringify(event)}`);
  return event;
}

describe('parseCloudEvent', () => {
  for (const mode of ['binary', 'structured'] as const) {
    it(`reads a Reference-mode ApiServerSource event in ${mode} mode with decoded JSON data`, () => {
      const fixture = readEventFixture('apiserver-ref-add');
      const event = parsed(mode === 'binary' ? asBinary(fixture) : asStructured(fixture));
      assert.equal(event.type, 'dev.knative.apiserver.ref.add');
      assert.equal(event.extensions.kind, 'DuckLakeTable');
      assert.deepEqual(event.data, fixture.data);
    });
  }

  it('tells CloudEvent requests from plain JSON posts', () => {
    assert.equal(isCloudEventRequest({ 'Ce-Specversion': '1.0' }), true);
    assert.equal(isCloudEventRequest({ 'content-type': 'application/cloudevents+json' }), true);
    assert.equal(isCloudEventRequest({ 'content-type': 'application/json' }), false);
  });

  it('answers malformed for missing attributes and for broken JSON data, never throwing', () => {
    const missing = parseCloudEvent({ 'content-type': 'application/json', 'ce-specversion': '1.0' }, '{}');
    assert.equal('kind' in missing && missing.kind, 'malformed');
    const broken = parseCloudEvent({ 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 's', 'ce-type': 't' }, '{"a":');
    assert.ok('kind' in broken && broken.kind === 'malformed');
    assert.match(broken.message, /JSON/);
  });
});

describe('parseApiServerEvent', () => {
  it('takes the reference from Reference-mode data', () => {
    const result = parseApiServerEvent(parsed(asBinary(readEventFixture('apiserver-ref-add'))));
    assert.equal(result.kind, 'resource');
    if (result.kind !== 'resource') return;
    assert.deepEqual([result.mode, result.action], ['Reference', 'add']);
    assert.deepEqual(result.ref, { apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeTable', name: 'users', namespace: 'analytics' });
    assert.equal(result.object, undefined);
  });

  it('takes the reference from the object metadata in Resource mode and keeps the object', () => {
    const result = parseApiServerEvent(parsed(asStructured(readEventFixture('apiserver-resource-update'))));
    assert.equal(result.kind, 'resource');
    if (result.kind !== 'resource') return;
    assert.deepEqual([result.mode, result.action, result.ref.name, result.ref.namespace], ['Resource', 'update', 'users', 'analytics']);
    assert.equal((result.object?.metadata as { uid: string }).uid, '6f1d2c3b-8e0a-4c55-9f7e-3b1a2d4c5e6f');
  });

  it('falls back to the extensions when the data lacks the namespace', () => {
    const fixture = readEventFixture('apiserver-ref-add');
    const result = parseApiServerEvent(parsed(asBinary({ ...fixture, data: { apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeTable', name: 'users' } })));
    assert.ok(result.kind === 'resource' && result.ref.namespace === 'analytics');
  });

  it('ignores other event types and calls events without a name malformed', () => {
    const fixture = readEventFixture('apiserver-ref-add');
    const other = parseApiServerEvent(parsed(asBinary({ ...fixture, type: 'dev.knative.sources.ping' })));
    assert.equal(other.kind, 'ignore');
    const { name: _name, ...rest } = fixture;
    const nameless = parseApiServerEvent(parsed(asBinary({ ...rest, data: { kind: 'DuckLakeTable', apiVersion: 'x/v1', namespace: 'a' } })));
    assert.equal(nameless.kind, 'malformed');
    assert.ok(nameless.kind === 'malformed' && nameless.message.includes('name'));
  });
});

describe('parsePingEvent', () => {
  it('reads the task from the extension, then the data, default resync', () => {
    const fixture = readEventFixture('ping-resync');
    assert.deepEqual(parsePingEvent(parsed(asBinary({ ...fixture, feathermantask: 'backup' }))), { kind: 'ping', task: 'backup' });
    const { feathermantask: _task, ...noExtension } = fixture;
    assert.deepEqual(parsePingEvent(parsed(asBinary({ ...noExtension, data: { task: 'check' } }))), { kind: 'ping', task: 'check' });
    const { data: _data, datacontenttype: _type, ...bare } = noExtension;
    assert.deepEqual(parsePingEvent(parsed(asBinary(bare))), { kind: 'ping', task: 'resync' });
    assert.equal(parsePingEvent(parsed(asBinary({ ...fixture, type: 'other' }))).kind, 'ignore');
  });
});
