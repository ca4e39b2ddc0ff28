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

const INT8_ARRAY_OID = 1016;

/**
 * Binds a list of integer keys as ONE `bigint[]` parameter: for keys that may exceed 2^31 (a
 * bigint key column, a parked key of any size). Refuses what is not a safe integer, saying which.
 */
export function bigintArray(sql: Sql, ids: readonly number[]): PendingQuery<Row[]> {
  for (const id of ids) {
    if (!Number.isSafeInteger(id)) throw new TypeError(`bigintArray: ${String(id)} is not an integer key within ±2^53`);
  }
  return sql`${sql.array(ids.map(String), INT8_ARRAY_OID)}::int8[]`;
}
