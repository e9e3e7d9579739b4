import type { CompareOp, Predicate } from './prune.ts';
import type { SqlConstant } from './values.ts';

/** TableReference is one `FROM [schema.]table` in the parsed SQL, with the WHERE conjuncts that filter only it. */
export interface TableReference {
  catalog: string;
  schema: string;
  table: string;
  predicates: Predicate[];
}

/** SqlShape is what the read path needs to know about a parsed SELECT (pure data). */
export interface SqlShape {
  references: TableReference[];
  cteNames: Set<string>;
  tableFunctions: Set<string>;
  functions: Set<string>;
  /** A table reference carries `AT (…)`: lake time travel is chosen by the plan, not in SQL. */
  hasAtClause: boolean;
}

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const COMPARISONS: Record<string, CompareOp> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHAN: '>',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};
const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * analyzeSql walks the JSON AST that DuckDB's `json_serialize_sql` returns (pure). It
 * lists every base-table reference, CTE name and function name, and attaches WHERE
 * conjuncts of the simple forms (column op constant, IN, BETWEEN, IS [NOT] NULL) to a
 * reference only where that is safe: a SELECT whose FROM is one table or inner/cross
 * joins of tables, without sampling. Anything else yields no predicates.
 */
export function analyzeSql(ast: unknown): SqlShape {
  const shape: SqlShape = { references: [], cteNames: new Set(), tableFunctions: new Set(), functions: new Set(), hasAtClause: false };
  const claimed = new WeakSet<Node>();
  visit(ast, shape, claimed);
  return shape;
}

function visit(value: unknown, shape: SqlShape, claimed: WeakSet<Node>): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, shape, claimed);
    return;
  }
  if (!isNode(value)) return;
  if (value.type === 'SELECT_NODE') analyzeSelect(value, shape, claimed);
  if (isNode(value.cte_map) && Array.isArray(value.cte_map.map)) {
    for (const entry of value.cte_map.map) if (isNode(entry)) shape.cteNames.add(text(entry.key).toLowerCase());
  }
  if (value.type === 'BASE_TABLE' && !claimed.has(value)) {
    claimed.add(value);
    shape.references.push(referenceOf(value, shape));
  }
  if (value.type === 'TABLE_FUNCTION' && isNode(value.function)) shape.tableFunctions.add(text(value.function.function_name).toLowerCase());
  if (value.class === 'FUNCTION' && value.type !== undefined && !claimed.has(value)) shape.functions.add(text(value.function_name).toLowerCase());
  for (const child of Object.values(value)) visit(child, shape, claimed);
}

function referenceOf(node: Node, shape: SqlShape): TableReference {
  if (node.at_clause !== null && node.at_clause !== undefined) shape.hasAtClause = true;
  return { catalog: text(node.catalog_name).toLowerCase(), schema: text(node.schema_name).toLowerCase(), table: text(node.table_name), predicates: [] };
}

interface Scoped {
  reference: TableReference;
  names: Set<string>;
}

function analyzeSelect(node: Node, shape: SqlShape, claimed: WeakSet<Node>): void {
  if (node.sample !== null && node.sample !== undefined) return;
  const scope: Scoped[] = [];
  if (!collectScope(node.from_table, scope, shape, claimed) || scope.length === 0) return;
  const conjuncts: Node[] = [];
  flattenAnd(node.where_clause, conjuncts);
  for (const conjunct of conjuncts) {
    const parsed = parseConjunct(conjunct);
    if (!parsed) continue;
    const target = resolveTarget(parsed.qualifier, scope);
    if (target) target.reference.predicates.push(parsed.predicate);
  }
}

/** collectScope claims the base tables of a FROM made only of tables and inner/cross joins; false = not such a FROM. */
function collectScope(from: unknown, scope: Scoped[], shape: SqlShape, claimed: WeakSet<Node>): boolean {
  if (!isNode(from)) return false;
  if (from.type === 'BASE_TABLE') {
    if (from.sample !== null && from.sample !== undefined) return false;
    const reference = referenceOf(from, shape);
    claimed.add(from);
    shape.references.push(reference);
    const alias = text(from.alias).toLowerCase();
    const names = new Set(alias ? [alias] : [reference.table.toLowerCase(), `${reference.schema}.${reference.table.toLowerCase()}`]);
    scope.push({ reference, names });
    return true;
  }
  if (from.type === 'JOIN') {
    const inner = from.join_type === 'INNER' && (from.ref_type === 'REGULAR' || from.ref_type === 'CROSS');
    if (!inner) return false;
    // Check both sides before claiming anything, so a rejected join leaves its tables to the generic walk.
    if (!isPlainJoinTree(from.left) || !isPlainJoinTree(from.right)) return false;
    return collectScope(from.left, scope, shape, claimed) && collectScope(from.right, scope, shape, claimed);
  }
  return false;
}

function isPlainJoinTree(node: unknown): boolean {
  if (!isNode(node)) return false;
  if (node.type === 'BASE_TABLE') return node.sample === null || node.sample === undefined;
  if (node.type !== 'JOIN') return false;
  return node.join_type === 'INNER' && (node.ref_type === 'REGULAR' || node.ref_type === 'CROSS') && isPlainJoinTree(node.left) && isPlainJoinTree(node.right);
}

function resolveTarget(qualifier: string | undefined, scope: Scoped[]): Scoped | undefined {
  if (qualifier === undefined) return scope.length === 1 ? scope[0] : undefined;
  const matches = scope.filter((s) => s.names.has(qualifier));
  return matches.length === 1 ? matches[0] : undefined;
}

function flattenAnd(node: unknown, out: Node[]): void {
  if (!isNode(node)) return;
  if (node.class === 'CONJUNCTION' && node.type === 'CONJUNCTION_AND' && Array.isArray(node.children)) {
    for (const child of node.children) flattenAnd(child, out);
    return;
  }
  out.push(node);
}

interface ColumnName {
  qualifier: string | undefined;
  column: string;
}

function columnOf(node: unknown): ColumnName | undefined {
  if (!isNode(node) || node.class !== 'COLUMN_REF' || !Array.isArray(node.column_names)) return undefined;
  const names = node.column_names.map((n) => text(n).toLowerCase());
  if (names.length === 1 && names[0]) return { qualifier: undefined, column: names[0] };
  if (names.length === 2 && names[0] && names[1]) return { qualifier: names[0], column: names[1] };
  if (names.length === 3 && names[0] && names[1] && names[2]) return { qualifier: `${names[0]}.${names[1]}`, column: names[2] };
  return undefined;
}

function constantOf(node: unknown): SqlConstant | undefined {
  if (!isNode(node)) return undefined;
  if (node.class === 'CAST' && node.try_cast === false && isNode(node.cast_type)) {
    const inner = constantOf(node.child);
    if (!inner || inner.castTo !== undefined) return undefined;
    return { ...inner, castTo: text(node.cast_type.id) };
  }
  if (node.class !== 'CONSTANT' || !isNode(node.value) || node.value.is_null !== false || !isNode(node.value.type)) return undefined;
  const typeInfo = node.value.type.type_info;
  const scale = isNode(typeInfo) && typeof typeInfo.scale === 'number' ? typeInfo.scale : undefined;
  return { type: text(node.value.type.id), value: node.value.value, ...(scale === undefined ? {} : { scale }) };
}

function parseConjunct(node: Node): { qualifier: string | undefined; predicate: Predicate } | undefined {
  const op = COMPARISONS[text(node.type)];
  if (node.class === 'COMPARISON' && op) {
    const left = columnOf(node.left);
    const right = constantOf(node.right);
    if (left && right) return { qualifier: left.qualifier, predicate: { kind: 'compare', column: left.column, op, value: right } };
    const rightColumn = columnOf(node.right);
    const leftConstant = constantOf(node.left);
    if (rightColumn && leftConstant) {
      return { qualifier: rightColumn.qualifier, predicate: { kind: 'compare', column: rightColumn.column, op: FLIPPED[op], value: leftConstant } };
    }
    return undefined;
  }
  if (node.class === 'BETWEEN' && node.type === 'COMPARE_BETWEEN') {
    const column = columnOf(node.input);
    const low = constantOf(node.lower);
    const high = constantOf(node.upper);
    if (column && low && high) return { qualifier: column.qualifier, predicate: { kind: 'between', column: column.column, low, high } };
    return undefined;
  }
  if (node.class === 'OPERATOR' && Array.isArray(node.children)) {
    const [first, ...rest] = node.children;
    const column = columnOf(first);
    if (!column) return undefined;
    if (node.type === 'COMPARE_IN' && rest.length > 0) {
      const values = rest.map(constantOf);
      if (values.every((v) => v !== undefined)) return { qualifier: column.qualifier, predicate: { kind: 'in', column: column.column, values: values as SqlConstant[] } };
      return undefined;
    }
    if ((node.type === 'OPERATOR_IS_NULL' || node.type === 'OPERATOR_IS_NOT_NULL') && rest.length === 0) {
      return { qualifier: column.qualifier, predicate: { kind: 'null', column: column.column, negated: node.type === 'OPERATOR_IS_NOT_NULL' } };
    }
  }
  return undefined;
}
