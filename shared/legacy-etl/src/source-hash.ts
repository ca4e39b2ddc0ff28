import { createHash } from 'node:crypto';

// The hash of a legacy row's source values, computed the same way by the ETL (in Node, from the
// row as read, stored with the imported row) and by MySQL/MariaDB (server-side, in verification),
// so the two sides can be compared by an aggregate without moving rows. Each value is
// length-prefixed in UTF-8 bytes ('N' for NULL), so NULL, '' and 'a b' vs 'ab ' all differ, and
// text is hashed byte for byte: trailing spaces and 4-byte characters count (MySQL's PAD SPACE
// comparisons would hide the first).

/** 52 bits of MD5: a safe integer in JS, a bigint in PostgreSQL, exact in SUM on both sides. */
const HEX_DIGITS = 13;

type Cell = string | number | bigint | boolean | null | undefined | Uint8Array;

function encode(v: Cell): string {
  if (v === null || v === undefined) return 'N';
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
  return `V${Buffer.byteLength(s, 'utf8')}:${s}`;
}

/** The source hash of `row` over `columns` (in that order). */
export function sourceHash(columns: readonly string[], row: Record<string, unknown>): number {
  const text = columns.map((c) => encode(row[c] as Cell)).join('');
  return Number.parseInt(createHash('md5').update(text, 'utf8').digest('hex').slice(0, HEX_DIGITS), 16);
}

const ident = (name: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
};

/** The same hash as a MySQL/MariaDB expression over `table`'s columns (constant SQL: validated identifiers only). */
export function sourceHashSql(table: string, columns: readonly string[]): string {
  const t = ident(table);
  const parts = columns.map((c) => {
    const v = `CONVERT(${t}.${ident(c)} USING utf8mb4)`;
    return `IF(${t}.${ident(c)} IS NULL, 'N', CONCAT('V', OCTET_LENGTH(${v}), ':', ${v}))`;
  });
  return `CAST(CONV(LEFT(MD5(CONCAT(${parts.join(', ')})), ${HEX_DIGITS}), 16, 10) AS UNSIGNED)`;
}
