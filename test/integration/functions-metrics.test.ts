import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudEvent } from 'cloudevents';
import { catalogSpec, createResource, sendEvent, startFunctionsWorld, type FunctionsWorld } from './functions-harness.ts';

describe('functions metrics on /metrics', () => {
  let world: FunctionsWorld;
  before(async () => {
    world = await startFunctionsWorld();
  });
  after(async () => {
    await world.close();
  });

  it('counts events by handler, type and outcome, Jobs created by operation, and reconcile time', async () => {
    await createResource(world, 'DuckLakeCatalog', 'metered', catalogSpec());
    const ping = new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/test', datacontenttype: 'application/json', data: { task: 'resync' } });
    const answer = await sendEvent(world, '/sweep', ping);
    assert.equal(answer.status, 200);
    const text = await (await fetch(`${world.url}/metrics`)).text();
    assert.match(text, /featherman_events_total\{handler="sweep",type="dev\.knative\.sources\.ping",outcome="ok"\} 1/);
    assert.match(text, /featherman_jobs_created_total\{operation="init-catalog"\} 1/);
    assert.match(text, /featherman_reconcile_duration_seconds_count\{kind="sweep",outcome="ok"\} 1/);
  });
});
