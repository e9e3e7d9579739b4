import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChanges, renderChanges, type ChangeEntry } from '../../runner/lake/catalog/changes.ts';
import { createUuidV7Generator, uuidV7, UUID_V7 } from '../../runner/lake/catalog/uuid7.ts';

describe('changes_made', () => {
  const cases: Array<[string, ChangeEntry[], string | null]> = [
    ['nothing', [], null],
    ['schema', [{ kind: 'created_schema', schema: 'main' }], 'created_schema:"main"'],
    ['table', [{ kind: 'created_table', schema: 'main', name: 'sales' }], 'created_table:"main"."sales"'],
    ['quotes doubled', [{ kind: 'created_table', schema: 'a"b', name: 'c""d' }], 'created_table:"a""b"."c""""d"'],
    ['comma inside a name', [{ kind: 'created_view', schema: 's', name: 'x,y' }, { kind: 'altered_table', id: 4 }], 'created_view:"s"."x,y",altered_table:4'],
    [
      'the format example',
      [{ kind: 'created_schema', schema: 's' }, { kind: 'created_table', schema: 's', name: 't' }, { kind: 'inserted_into_table', id: 5 }],
      'created_schema:"s",created_table:"s"."t",inserted_into_table:5',
    ],
    ['ids', [{ kind: 'dropped_table', id: 12 }, { kind: 'inlined_insert', id: 1 }, { kind: 'merge_adjacent', id: 3 }], 'dropped_table:12,inlined_insert:1,merge_adjacent:3'],
  ];
  for (const [name, entries, text] of cases) {
    it(`renders and parses back: ${name}`, () => {
      assert.equal(renderChanges(entries), text);
      assert.deepEqual(parseChanges(text), entries);
    });
  }

  it('drops exact duplicates, keeping first-seen order', () => {
    assert.equal(
      renderChanges([{ kind: 'inserted_into_table', id: 1 }, { kind: 'altered_table', id: 1 }, { kind: 'inserted_into_table', id: 1 }]),
      'inserted_into_table:1,altered_table:1',
    );
  });

  const bad: Array<[string, RegExp]> = [
    ['created_table:main.sales', /expected '"'/],
    ['created_table:"main"', /expected a dot/],
    ['exploded_table:1', /unknown kind "exploded_table"/],
    ['altered_table:x', /needs a numeric id/],
    ['altered_table:1;drop', /expected ","/],
    ['created_schema:"main', /unterminated/],
  ];
  for (const [text, error] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.throws(() => parseChanges(text), error));
  }

  it('refuses a negative id when rendering', () => {
    assert.throws(() => renderChanges([{ kind: 'dropped_table', id: -1 }]), /non-negative integer id; got -1/);
  });
});

describe('uuidV7', () => {
  it('puts the millisecond time in the first 48 bits and sets version 7 and variant 10', () => {
    const id = uuidV7(0x0189_abcd_ef01, new Uint8Array(10).fill(0xff));
    assert.equal(id, '0189abcd-ef01-7fff-bfff-ffffffffffff');
    assert.equal(uuidV7(0, new Uint8Array(10)), '00000000-0000-7000-8000-000000000000');
    assert.match(uuidV7(), UUID_V7);
  });

  it('refuses bad inputs', () => {
    assert.throws(() => uuidV7(-1), /48-bit/);
    assert.throws(() => uuidV7(1, new Uint8Array(3)), /10 random bytes/);
  });

  it('generates strictly increasing ids even when the clock stands still or steps back', () => {
    const times = [1000, 1000, 1000, 999, 2000];
    const next = createUuidV7Generator(() => times.shift() ?? 3000);
    const ids = Array.from({ length: 5 }, () => next());
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 5);
    assert.equal(ids[4]?.slice(0, 13), uuidV7(2000).slice(0, 13));
  });
});
