import type { Sql, PendingQuery, Row } from 'postgres';

// postgres-js takes the ARRAY type's oid here (int4[] = 1007); passing the element oid
// with an ::int4[] cast fails with "cannot cast type integer to integer[]".
const INT4_ARRAY_OID = 1007;
const INT4_MAX = 2147483647;

/**
 * Binds a list of integer ids as ONE `int[]` parameter, for `= ANY(${intArray(sql, ids)})`.
 * Works for 0, 1 and many ids (a bare JS array is typed from its first element and fails
 * on an empty list); rejects anything that is not an int4 before it reaches the server.
 */
export function intArray(sql: Sql, ids: readonly number[]): PendingQuery<Row[]> {
  for (const id of ids) {
    if (!Number.isInteger(id) || id < -INT4_MAX - 1 || id > INT4_MAX) {
      throw new TypeError(`intArray: ${String(id)} is not a 32-bit integer id`);
    }
  }
  return sql`${sql.array([...ids], INT4_ARRAY_OID)}::int4[]`;
}
