// Does ALTER COLUMN ... TYPE rewrite the table? PostgreSQL's own rule (ATColumnChangeRequiresRewrite
// in tablecmds.c): no rewrite and no scan when the old type is binary-coercible to the new one
// (pg_cast castmethod 'b', or the same type) and the length coercion, if any, is simplified away
// by the type's support function (varchar_support, numeric_support, timestamp_support, ...): that
// is when the new modifier cannot reject or change any stored value. Everything else rewrites
// (a USING expression, a shrink, a precision or scale change that rounds, a different
// representation). Either way the ALTER takes ACCESS EXCLUSIVE. Unknown types count as a rewrite.
// tests/integration/migration-lint/type-change-rewrites.test.ts checks each row on a real server.

/** A column type as written: its canonical name, its modifiers (varchar(20) -> [20]), array or not. */
export interface ColumnType {
  name: string;
  mods: number[];
  array: boolean;
}

/** Aliases the parser leaves as written (most arrive canonical under pg_catalog). */
const CANONICAL: Record<string, string> = {
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  decimal: 'numeric',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'bit varying': 'varbit',
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
};

/** Binary-coercible pairs between different types (pg_cast castmethod 'b') that the linter knows. */
const BINARY_COERCIBLE = new Set(['varchar>text', 'text>varchar', 'cidr>inet']);

/** Types whose modifier may grow without a rewrite (their support function drops the coercion). */
const WIDENS_IN_PLACE = new Set(['varchar', 'varbit', 'numeric', 'timestamp', 'timestamptz', 'time', 'timetz']);

/** The type of a parsed TypeName node (libpg-query), or undefined when it is not a plain type. */
export function columnTypeOf(
  typeName: { names?: unknown[]; typmods?: unknown[]; arrayBounds?: unknown[] } | undefined,
): ColumnType | undefined {
  const names = (typeName?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
  const last = names.at(-1)?.toLowerCase();
  if (!last) return undefined;
  const mods: number[] = [];
  for (const m of typeName?.typmods ?? []) {
    const ival = (m as { A_Const?: { ival?: { ival?: number } } }).A_Const?.ival;
    if (!ival) return undefined; // a modifier that is not a number (interval fields): not modelled
    mods.push(ival.ival ?? 0);
  }
  return { name: CANONICAL[last] ?? last, mods, array: (typeName?.arrayBounds ?? []).length > 0 };
}

export const typeText = (t: ColumnType) =>
  `${t.name}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;

/**
 * Does the new modifier accept every value the old one allowed, unchanged? Unbounded (no modifier)
 * accepts all; varchar/varbit need a length at least as long; numeric the same scale and at least
 * the precision; the time types at least the fractional-second precision.
 */
function modifierWidens(name: string, from: number[], to: number[]): boolean {
  if (!to.length) return true;
  if (!from.length) return false; // unbounded -> bounded: every value must be checked or rounded
  if (name === 'numeric') return (to[1] ?? 0) === (from[1] ?? 0) && to[0]! >= from[0]!;
  return to[0]! >= from[0]!;
}

/** 'catalog-only' (no rewrite, no scan: only the catalog changes, under a brief ACCESS EXCLUSIVE) or 'rewrite'. */
export function typeChangeEffect(
  from: ColumnType | undefined,
  to: ColumnType | undefined,
  opts: { using: boolean; collate: boolean },
): 'catalog-only' | 'rewrite' {
  if (!from || !to || opts.using || opts.collate || from.array || to.array) return 'rewrite';
  if (from.name === to.name) {
    if (from.mods.join() === to.mods.join()) return 'catalog-only';
    return WIDENS_IN_PLACE.has(to.name) && modifierWidens(to.name, from.mods, to.mods) ? 'catalog-only' : 'rewrite';
  }
  if (!BINARY_COERCIBLE.has(`${from.name}>${to.name}`)) return 'rewrite';
  // To a different type: the new modifier must accept everything (unbounded, or a varchar at least as long).
  if (!to.mods.length) return 'catalog-only';
  return from.mods.length > 0 && WIDENS_IN_PLACE.has(to.name) && modifierWidens(to.name, from.mods, to.mods)
    ? 'catalog-only'
    : 'rewrite';
}
