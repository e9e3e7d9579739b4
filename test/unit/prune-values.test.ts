import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareValues, parseInstant } from '../../runner/lake/read/values.ts';

describe('compareValues on strings', () => {
  const cases: Array<[string, string, number, string]> = [
    ['a', 'a', 0, 'equal strings'],
    ['a', 'ab', -1, 'a prefix sorts first'],
    ['b', 'ab', 1, 'the first differing unit decides'],
    ['é', 'z', 1, 'U+00E9 (C3 A9) is above z (7A)'],
    ['\uFFFD', '😀', -1, 'U+FFFD (EF BF BD) is below U+1F600 (F0 9F 98 80), although its UTF-16 unit is above the surrogate'],
    ['😀', '\uE000', 1, 'a supplementary character is above U+E000 in UTF-8'],
    ['x😀', 'x😁', -1, 'two supplementary characters compare by code point'],
  ];
  for (const [a, b, expected, why] of cases) {
    it(`orders ${JSON.stringify(a)} and ${JSON.stringify(b)} by UTF-8 bytes: ${why}`, () => {
      assert.equal(Math.sign(compareValues(a, b)), expected);
      assert.equal(Math.sign(compareValues(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });
  }
});

describe('parseInstant', () => {
  it('reads a timestamp with a fraction and an offset as UTC nanoseconds', () => {
    const expected = BigInt(Date.UTC(2024, 0, 15, 10, 30, 0)) * 1_000_000n + 123_456_000n;
    assert.equal(parseInstant('2024-01-15 12:30:00.123456+02', false), expected);
    assert.equal(parseInstant('2024-01-15 12:30:00.123456+02:00', false), expected);
  });

  it('reads instants before the epoch', () => {
    assert.equal(parseInstant('1969-12-31 23:59:59.5', false), -500_000_000n);
    assert.equal(parseInstant('1900-03-01', true), BigInt(Date.UTC(1900, 2, 1)) * 1_000_000n);
  });

  it('refuses a fraction finer than the type keeps and a time on a date column', () => {
    assert.equal(parseInstant('2024-01-15 00:00:00.1234567', false, 6), undefined);
    assert.equal(parseInstant('2024-01-15 00:00:00', true), undefined);
  });
});
