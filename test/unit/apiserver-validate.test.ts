import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps, JsonObject } from '../../local/apiserver/types.ts';
import { validateObject } from '../../local/apiserver/schema/validate.ts';
import { validateSchemaRules } from '../../local/apiserver/schema/crd-rules.ts';

// A DuckLakeTable-like CRD version schema with defaults, enums, formats, list types and CEL rules.
const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['catalog', 'columns'],
      'x-kubernetes-validations': [
        { rule: 'self.catalog == oldSelf.catalog', message: 'catalog is immutable' },
        { rule: '!has(self.ttl) || self.ttl.days >= 1', message: 'ttl.days must be positive', fieldPath: '.ttl.days' },
      ],
      properties: {
        catalog: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[a-z][a-z0-9-]*$' },
        mode: { type: 'string', enum: ['append', 'upsert'], default: 'append' },
        replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        since: { type: 'string', format: 'date-time' },
        port: { 'x-kubernetes-int-or-string': true },
        comment: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 5, default: 'x' } },
        ttl: { type: 'object', properties: { days: { type: 'integer', default: 7 }, column: { type: 'string' } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        columns: {
          type: 'array',
          minItems: 1,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name', 'type'],
            'x-kubernetes-validations': [
              { rule: 'self.type == oldSelf.type', message: 'column type is immutable', reason: 'FieldValueForbidden' },
              { rule: 'self.name.matches("^[a-z_]+$")', messageExpression: '"bad column name " + self.name' },
            ],
            properties: {
              name: { type: 'string' },
              type: { type: 'string', enum: ['INTEGER', 'VARCHAR', 'DOUBLE'] },
              nullable: { type: 'boolean', default: true },
            },
          },
        },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

function table(spec: JsonObject, metadata: JsonObject = { name: 'events', namespace: 'default' }): JsonObject {
  return { apiVersion: 'featherman.dev/v1alpha1', kind: 'DuckLakeTable', metadata, spec };
}

const goodSpec = { catalog: 'main', columns: [{ name: 'id', type: 'INTEGER' }] };

test('applies defaults, also inside list items and additionalProperties, and keeps the envelope', () => {
  const result = validateObject(table({ ...goodSpec, labels: { a: 'b', c: null }, ttl: {} }), schema, { fieldValidation: 'Strict' });
  assert.deepEqual(result.causes, []);
  assert.deepEqual(result.unknownFields, []);
  assert.deepEqual(result.value, {
    apiVersion: 'featherman.dev/v1alpha1',
    kind: 'DuckLakeTable',
    metadata: { name: 'events', namespace: 'default' },
    spec: { catalog: 'main', mode: 'append', columns: [{ name: 'id', type: 'INTEGER', nullable: true }], labels: { a: 'b' }, ttl: { days: 7 } },
  });
});

test('prunes unknown fields and lists their paths, keeping preserve-unknown-fields subtrees', () => {
  const input = table({ ...goodSpec, foo: 1, columns: [{ name: 'id', type: 'INTEGER', bar: true }], extra: { anything: { goes: 1 } } },
    { name: 'events', weird: 'x' });
  const result = validateObject(input, schema, { fieldValidation: 'Strict' });
  assert.deepEqual(result.unknownFields.sort(), ['metadata.weird', 'spec.columns[0].bar', 'spec.foo']);
  const spec = result.value.spec as JsonObject;
  assert.equal('foo' in spec, false);
  assert.deepEqual(spec.extra, { anything: { goes: 1 } });
  assert.deepEqual(result.value.metadata, { name: 'events' });
  assert.deepEqual(result.causes, []);
});

const invalid: Array<[string, JsonObject, Array<{ field: string; reason: string; message: string }>]> = [
  ['an unsupported enum value', { ...goodSpec, columns: [{ name: 'id', type: 'STRNG' }] },
    [{ field: 'spec.columns[0].type', reason: 'FieldValueNotSupported', message: 'Unsupported value: "STRNG": supported values: "INTEGER", "VARCHAR", "DOUBLE"' }]],
  ['a missing required field', { columns: [{ name: 'id', type: 'INTEGER' }] },
    [{ field: 'spec.catalog', reason: 'FieldValueRequired', message: 'Required value' }]],
  ['a string where an integer belongs', { ...goodSpec, replicas: 'three' },
    [{ field: 'spec.replicas', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
      { field: '', reason: 'FieldValueInvalid', message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }]],
  ['a fraction where an integer belongs', { ...goodSpec, replicas: 1.5 },
    [{ field: 'spec.replicas', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "number": spec.replicas in body must be of type integer: "number"' },
      { field: '', reason: 'FieldValueInvalid', message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }]],
  ['a value over the maximum', { ...goodSpec, replicas: 11 },
    [{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: 11: spec.replicas in body should be less than or equal to 10' }]],
  ['a value at an exclusive maximum', { ...goodSpec, ratio: 1 },
    [{ field: 'spec.ratio', reason: 'FieldValueInvalid', message: 'Invalid value: 1: spec.ratio in body should be less than 1' }]],
  ['a pattern mismatch and a too long string', { ...goodSpec, catalog: 'Main-catalog-with-a-long-name' },
    [{ field: 'spec.catalog', reason: 'FieldValueTooLong', message: 'Too long: may not be more than 20 bytes' },
      { field: 'spec.catalog', reason: 'FieldValueInvalid', message: 'Invalid value: "Main-catalog-with-a-long-name": spec.catalog in body should match \'^[a-z][a-z0-9-]*$\'' }]],
  ['a bad date-time', { ...goodSpec, since: 'yesterday' },
    [{ field: 'spec.since', reason: 'FieldValueInvalid', message: 'Invalid value: "yesterday": spec.since in body must be of type date-time: "yesterday"' }]],
  ['a boolean in an int-or-string field', { ...goodSpec, replicas: 0, port: true },
    [{ field: 'spec.port', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"' },
      { field: '', reason: 'FieldValueInvalid', message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }]],
  ['no cause for a string in an int-or-string field', { ...goodSpec, replicas: 0, ttl: { days: 1 }, port: 'http' },
    []],
  ['too many items and a duplicate in a set', { ...goodSpec, tags: ['a', 'b', 'a', 'c'] },
    [{ field: 'spec.tags', reason: 'FieldValueTooMany', message: 'Too many: 4: must have at most 3 items' },
      { field: 'spec.tags[2]', reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"' }]],
  ['a duplicate list-map key', { ...goodSpec, columns: [{ name: 'id', type: 'INTEGER' }, { name: 'id', type: 'VARCHAR' }] },
    [{ field: 'spec.columns[1]', reason: 'FieldValueDuplicate', message: 'Duplicate value: {"name":"id"}' }]],
  ['too few items', { ...goodSpec, columns: [] },
    [{ field: 'spec.columns', reason: 'FieldValueInvalid', message: 'Invalid value: []: spec.columns in body should have at least 1 items' }]],
  ['a too long map value', { ...goodSpec, labels: { team: 'analytics' } },
    [{ field: 'spec.labels.team', reason: 'FieldValueTooLong', message: 'Too long: may not be more than 5 bytes' }]],
  ['a failed CEL rule with fieldPath', { ...goodSpec, ttl: { days: 0 } },
    [{ field: 'spec.ttl.days', reason: 'FieldValueInvalid', message: 'Invalid value: "object": ttl.days must be positive' }]],
  ['a failed CEL rule with messageExpression', { ...goodSpec, columns: [{ name: 'Id', type: 'INTEGER' }] },
    [{ field: 'spec.columns[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "object": bad column name Id' }]],
];

for (const [name, spec, expected] of invalid) {
  test(`reports ${name} like kube-apiserver`, () => {
    const input = table(spec);
    const before = structuredClone(input);
    const result = validateObject(input, schema, { fieldValidation: 'Strict' });
    assert.deepEqual(result.causes, expected);
    assert.deepEqual(input, before, 'the input is not mutated');
  });
}

test('accepts null in a nullable field and drops it from a non-nullable one', () => {
  const result = validateObject(table({ ...goodSpec, comment: null, since: null }), schema, { fieldValidation: 'Ignore' });
  assert.deepEqual(result.causes, []);
  const spec = result.value.spec as JsonObject;
  assert.equal(spec.comment, null);
  assert.equal('since' in spec, false);
});

test('checks the resource name', () => {
  const result = validateObject(table(goodSpec, { name: 'Events_1' }), schema, { fieldValidation: 'Strict' });
  assert.equal(result.causes.length, 1);
  assert.equal(result.causes[0]?.field, 'metadata.name');
  assert.match(result.causes[0]?.message ?? '', /^Invalid value: "Events_1": a lowercase RFC 1123 subdomain must consist of/);
});

test('evaluates transition rules only on update, with oldSelf correlated by list-map key', () => {
  const old = validateObject(table({ catalog: 'main', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'v', type: 'VARCHAR' }] }), schema, { fieldValidation: 'Strict' }).value;
  const changed = table({ catalog: 'other', columns: [{ name: 'v', type: 'DOUBLE' }, { name: 'id', type: 'INTEGER' }, { name: 'new', type: 'DOUBLE' }] });
  assert.deepEqual(validateObject(changed, schema, { fieldValidation: 'Strict' }).causes, [], 'a create has no oldSelf');
  const result = validateObject(changed, schema, { fieldValidation: 'Strict', oldObject: old });
  assert.deepEqual(result.causes, [
    { field: 'spec', reason: 'FieldValueInvalid', message: 'Invalid value: "object": catalog is immutable' },
    { field: 'spec.columns[0]', reason: 'FieldValueForbidden', message: 'Forbidden: column type is immutable' },
  ]);
  const same = validateObject(table({ catalog: 'main', columns: [{ name: 'id', type: 'INTEGER' }] }), schema, { fieldValidation: 'Strict', oldObject: old });
  assert.deepEqual(same.causes, []);
});

test('reports a CEL runtime error and a rule that does not compile', () => {
  const broken: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [{ rule: 'self.missing == 1' }, { rule: 'self.a +' }, { rule: 'self.a == 2' }],
        properties: { a: { type: 'integer' } },
      },
    },
  };
  const result = validateObject({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { a: 1 } }, broken, { fieldValidation: 'Strict' });
  assert.equal(result.causes.length, 3);
  assert.equal(result.causes[0]?.message, 'Invalid value: "object": no such key: missing evaluating rule: self.missing == 1');
  assert.match(result.causes[1]?.message ?? '', /^Invalid value: "object": rule compile error: /);
  assert.deepEqual(result.causes[2], { field: 'spec', reason: 'FieldValueInvalid', message: 'Invalid value: "object": failed rule: self.a == 2' });
});

test('treats integers as CEL ints and supports the Kubernetes list and string helpers', () => {
  const rules: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self % 2 == 0 && string(self) == "4" && self / 3 == 1' }] },
          xs: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.isSorted() && self.sum() == 6 && self.max() == 3 && self.all(x, x > 0) && self.exists_one(x, x == 2)' }] },
          s: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("a") && self.endsWith("z") && self.contains("m") && size(self) == 3 && self in ["amz"] && int("5") == 5' }] },
          m: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'has(self.k) && !has(self.other) && self.all(k, self[k] != "") && self.filter(k, k == "k").size() == 1' }] },
          t: { type: 'string', format: 'date-time', 'x-kubernetes-validations': [{ rule: 'self > timestamp("2020-01-01T00:00:00Z")' }] },
        },
      },
    },
  };
  const good = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { n: 4, xs: [1, 2, 3], s: 'amz', m: { k: 'v' }, t: '2024-05-01T10:00:00Z' } };
  assert.deepEqual(validateObject(good, rules, { fieldValidation: 'Strict' }).causes, []);
  const bad = { ...good, spec: { n: 5, xs: [3, 2, 1], s: 'abc', m: { other: 'v' }, t: '2019-05-01T10:00:00Z' } };
  assert.deepEqual(validateObject(bad, rules, { fieldValidation: 'Strict' }).causes.map((c) => c.field), ['spec.n', 'spec.xs', 'spec.s', 'spec.m', 'spec.t']);
});

test('evaluates optionalOldSelf rules on create too, with oldSelf as an optional', () => {
  const rules: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { size: { type: 'integer', 'x-kubernetes-validations': [
      { rule: '!oldSelf.hasValue() || oldSelf.value() == self', optionalOldSelf: true, message: 'size is immutable once set' },
      { rule: 'oldSelf.orValue(0) <= self', optionalOldSelf: true, messageExpression: '"size may only grow, not to " + string(self)' },
    ] } } } },
  };
  const object = (size: number): JsonObject => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { size } });
  assert.deepEqual(validateObject(object(1), rules, { fieldValidation: 'Strict' }).causes, []);
  assert.deepEqual(validateObject(object(1), rules, { fieldValidation: 'Strict', oldObject: object(1) }).causes, []);
  assert.deepEqual(validateObject(object(1), rules, { fieldValidation: 'Strict', oldObject: object(2) }).causes, [
    { reason: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: "integer": size is immutable once set' },
    { reason: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: "integer": size may only grow, not to 1' },
  ]);
});

test('refuses CRD schemas whose rules do not compile or point nowhere', () => {
  assert.deepEqual(validateSchemaRules(schema, 'spec.versions[0].schema.openAPIV3Schema'), [], 'the test schema is sound');
  const bad: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-validations': [
      { rule: 'self.a +' },
      { rule: 'self.a == "x"', fieldPath: '.nope' },
      { rule: 'self.a == "x"', optionalOldSelf: true },
      { rule: 'self.a == "x"', fieldPath: '.a', messageExpression: '"bad" +' },
    ] } },
  };
  const causes = validateSchemaRules(bad, 'spec.versions[0].schema.openAPIV3Schema');
  assert.deepEqual(causes.map((c) => c.field), [
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].fieldPath',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[2].optionalOldSelf',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[3].messageExpression',
  ]);
  assert.match(causes[0]?.message ?? '', /^Invalid value: "self.a \+": compilation failed: /);
});

test('ratchets: values an update leaves unchanged are not re-validated, changed ones are', () => {
  // Stored under an older schema that allowed "STRING" and had no CEL rule on names.
  const old = table({ catalog: 'main', mode: 'append', columns: [{ name: 'Legacy', type: 'STRING', nullable: true }, { name: 'id', type: 'INTEGER', nullable: true }] });
  const touched = table({ catalog: 'main', mode: 'upsert', columns: [{ name: 'id', type: 'INTEGER', nullable: true }, { name: 'Legacy', type: 'STRING', nullable: true }] });
  assert.deepEqual(validateObject(touched, schema, { fieldValidation: 'Strict', oldObject: old }).causes, [], 'the reordered but unchanged legacy column passes');
  const changed = table({ catalog: 'main', mode: 'upsert', columns: [{ name: 'Legacy', type: 'STRNG', nullable: false }, { name: 'id', type: 'INTEGER', nullable: true }] });
  assert.deepEqual(validateObject(changed, schema, { fieldValidation: 'Strict', oldObject: old }).causes, [
    { field: 'spec.columns[0].type', reason: 'FieldValueNotSupported', message: 'Unsupported value: "STRNG": supported values: "INTEGER", "VARCHAR", "DOUBLE"' },
    { field: 'spec.columns[0]', reason: 'FieldValueForbidden', message: 'Forbidden: column type is immutable' },
    { field: 'spec.columns[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "object": bad column name Legacy' },
  ]);
  assert.equal(validateObject(touched, schema, { fieldValidation: 'Strict' }).causes.length, 2, 'a create checks everything');
});

test('applies anyOf, oneOf, allOf and not as value validations, and int32 and uuid formats', () => {
  const rules: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: {
      source: { type: 'object', properties: { bucket: { type: 'string' }, path: { type: 'string' } }, oneOf: [{ required: ['bucket'] }, { required: ['path'] }] },
      size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+(Ki|Mi|Gi)$' }] },
      name: { type: 'string', allOf: [{ minLength: 2 }, { maxLength: 4 }], not: { enum: ['root'] } },
      port: { type: 'integer', format: 'int32' },
      id: { type: 'string', format: 'uuid' },
    } } },
  };
  const object = (spec: JsonObject): JsonObject => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec });
  const good = { source: { bucket: 'b' }, size: '10Gi', name: 'abc', port: 8080, id: '123e4567-e89b-12d3-a456-426614174000' };
  assert.deepEqual(validateObject(object(good), rules, { fieldValidation: 'Strict' }).causes, []);
  const causes = validateObject(object({ source: { bucket: 'b', path: 'p' }, size: 'ten', name: 'root', port: 3000000000, id: 'nope' }), rules, { fieldValidation: 'Strict' }).causes;
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    ['spec.source', 'Invalid value: {"bucket":"b","path":"p"}: spec.source in body must validate one and only one schema (oneOf)'],
    ['spec.size', 'Invalid value: "ten": spec.size in body must validate at least one schema (anyOf)'],
    ['spec.name', 'Invalid value: "root": spec.name in body must not validate the schema (not)'],
    ['spec.port', 'Invalid value: 3000000000: spec.port in body must be of type int32: 3000000000'],
    ['spec.id', 'Invalid value: "nope": spec.id in body must be of type uuid: "nope"'],
  ]);
  const long = validateObject(object({ ...good, name: 'abcdef' }), rules, { fieldValidation: 'Strict' }).causes;
  assert.deepEqual(long.map((c) => c.reason), ['FieldValueTooLong']);
});
