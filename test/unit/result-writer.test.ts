import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESULT_MAX_BYTES, RunnerResult } from '../../api/result.ts';
import { serializeResult, truncateToBytes } from '../../runner/result-writer.ts';

const base: RunnerResult = { op: 'query', ok: true, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 3, durationMs: 12 };
const size = (json: string) => Buffer.byteLength(json, 'utf8');

describe('serializeResult', () => {
  it('leaves a small result unchanged', () => {
    assert.deepEqual(JSON.parse(serializeResult(base)), base);
  });

  it('cuts the preview first and keeps everything else', () => {
    const result = { ...base, query: { rows: 3, bytes: 10, preview: 'é"\n'.repeat(3000) }, details: { note: 'kept' } };
    const json = serializeResult(result);
    assert.ok(size(json) <= RESULT_MAX_BYTES, `${size(json)} bytes`);
    assert.ok(size(json) > RESULT_MAX_BYTES - 64, 'uses the space it has');
    const parsed = RunnerResult.parse(JSON.parse(json));
    assert.ok(parsed.query?.preview.endsWith('…'));
    assert.deepEqual(parsed.details, { note: 'kept' });
  });

  it('then drops the largest details, then cuts the error message', () => {
    const failed = (message: string): RunnerResult => ({
      ...base, ok: false, query: { rows: 0, bytes: 0, preview: 'p'.repeat(100) },
      details: { big: 'b'.repeat(3000), small: 's', other: 'o'.repeat(500) },
      error: { code: 'FM_ERR_QUERY_FAILED', message },
    });
    const some = RunnerResult.parse(JSON.parse(serializeResult(failed('m'.repeat(3000)))));
    assert.equal(some.query?.preview, '');
    assert.deepEqual(some.details, { small: 's', other: 'o'.repeat(500), truncated: true });
    assert.equal(some.error?.message, 'm'.repeat(3000));

    const json = serializeResult(failed('m'.repeat(5000)));
    assert.ok(size(json) <= RESULT_MAX_BYTES);
    const parsed = RunnerResult.parse(JSON.parse(json));
    assert.deepEqual(parsed.details, { truncated: true });
    assert.equal(parsed.error?.code, 'FM_ERR_QUERY_FAILED');
    assert.ok((parsed.error?.message.length ?? 0) > 3500);
    assert.ok(parsed.error?.message.endsWith('…'));
  });

  it('falls back to the essentials when other fields are too big', () => {
    const json = serializeResult({ ...base, query: { rows: 1, bytes: 1, preview: '', outputLocation: `s3://b/${'k'.repeat(6000)}` } });
    assert.ok(size(json) <= RESULT_MAX_BYTES);
    assert.equal(JSON.parse(json).op, 'query');
  });
});

describe('truncateToBytes', () => {
  it('never splits a multi-byte character', () => {
    assert.equal(truncateToBytes('ééé', 6), 'ééé');
    assert.equal(truncateToBytes('éééé', 7), 'éé…');
    assert.equal(truncateToBytes('éééé', 6), 'é…');
    assert.equal(truncateToBytes('😀😀', 5), '…');
  });
});
