import type { ColumnType, DuckLakePrimitive } from '../../../api/column-type.ts';

/**
 * PRIMITIVE_WIDENINGS are the primitive type changes that keep every value: the promotions
 * the DuckLake extension allows in ALTER COLUMN TYPE (signed and unsigned integer widening,
 * unsigned into a wider signed type, float32 → float64). Integer → float is left out on
 * purpose: int64 → float64 rounds values above 2^53.
 */
export const PRIMITIVE_WIDENINGS: Readonly<Partial<Record<DuckLakePrimitive, readonly DuckLakePrimitive[]>>> = {
  int8: ['int16', 'int32', 'int64'],
  int16: ['int32', 'int64'],
  int32: ['int64'],
  uint8: ['int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64'],
  uint16: ['int32', 'int64', 'uint32', 'uint64'],
  uint32: ['int64', 'uint64'],
  float32: ['float64'],
};

/**
 * isWidening reports whether changing a column from `from` to `to` keeps every value
 * (pure). Decimals widen when neither the integer digits nor the scale shrink, e.g.
 * DECIMAL(10,2) → DECIMAL(18,2) or DECIMAL(12,4). Identical types are not a widening.
 */
export function isWidening(from: ColumnType, to: ColumnType): boolean {
  if (from.kind === 'primitive' && to.kind === 'primitive') return PRIMITIVE_WIDENINGS[from.name]?.includes(to.name) ?? false;
  if (from.kind === 'decimal' && to.kind === 'decimal') {
    const same = from.precision === to.precision && from.scale === to.scale;
    return !same && to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  }
  return false;
}
