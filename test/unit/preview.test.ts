import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPreview, PREVIEW_MAX_BYTES, truncateUtf8 } from '../../runner/lake/read/preview.ts';

describe('buildPreview', () => {
  it('renders one compact JSON line per row', () => {
    assert.equal(buildPreview([{ a: 1, b: 'x' }, { a: 2, b: null }]), '{"a":1,"b":"x"}\n{"a":2,"b":null}');
  });
  it('stops before the line that would pass the cap', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'é'.repeat(30) }));
    const preview = buildPreview(rows);
    assert.ok(Buffer.byteLength(preview) <= PREVIEW_MAX_BYTES);
    const lines = preview.split('\n');
    assert.ok(lines.length > 10 && lines.length < 100);
    assert.deepEqual(JSON.parse(lines.at(-1) ?? ''), rows[lines.length - 1]);
  });
  it('cuts a single oversized row and marks it', () => {
    const preview = buildPreview([{ big: '€'.repeat(2000) }]);
    assert.ok(Buffer.byteLength(preview) <= PREVIEW_MAX_BYTES);
    assert.ok(preview.endsWith('…'));
  });
  it('is empty for no rows', () => assert.equal(buildPreview([]), ''));
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    assert.equal(truncateUtf8('a€b', 3), 'a');
    assert.equal(truncateUtf8('a€b', 4), 'a€');
    assert.equal(truncateUtf8('😀😀', 5), '😀');
  });
});
