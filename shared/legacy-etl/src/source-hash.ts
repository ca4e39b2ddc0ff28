import { crc32 } from 'node:zlib';

// The hash of a legacy row's source values, computed the same way by the ETL (in Node, from the
// row as read, stored with the imported row) and by MySQL/MariaDB (server-side, in verification),
// so the two sides can be compared by an aggregate without moving rows. The hashed text is a
// NULL flag per column ('1'/'0'), then the non-NULL values, joined by U+001F (CONCAT_WS, cheap
// on the server): NULL and '' differ, and text is hashed byte for byte (UTF-8), so trailing
// spaces and 4-byte characters count (MySQL's PAD SPACE comparisons would hide the first). A value
// containing U+001F could collide with a neighbour: such collisions are accepted.
//
// The digest is CRC32 (MySQL's CRC32() = zlib's, IEEE polynomial), as pt-table-checksum uses per
// row: on MariaDB it costs a fraction of MD5+CONV, and verification checksums every row of a
// tick's slice. A changed row keeps its hash with probability 2^-32 (any change within 32
// consecutive bits is always seen). Hash version 2: version 1 was 52 bits of MD5, so a row hashed
// then (almost surely >= 2^32) differs from its CRC32 and is re-imported once by verification.

type Cell = string | number | bigint | boolean | null | undefined | Uint8Array;

const SEP = '\u001f';

const text = (v: Exclude<Cell, null | undefined>): string =>
  typeof v === 'boolean' ? (v ? '1' : '0') : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);

/** The source hash of `row` over `columns` (in that order): an unsigned 32-bit integer. */
export function sourceHash(columns: readonly string[], row: Record<string, unknown>): number {
  const cells = columns.map((c) => row[c] as Cell);
  const flags = cells.map((v) => (v === null || v === undefined ? '1' : '0')).join('');
  const values = cells.filter((v): v is Exclude<Cell, null | undefined> => v !== null && v !== undefined).map(text);
  return crc32(Buffer.from([flags, ...values].join(SEP), 'utf8'));
}

const ident = (name: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
};

/** The same hash as a MySQL/MariaDB expression over `table`'s columns (constant SQL: validated identifiers only). */
export function sourceHashSql(table: string, columns: readonly string[]): string {
  const cols = columns.map((c) => `${ident(table)}.${ident(c)}`);
  const flags = `CONCAT(${cols.map((c) => `ISNULL(${c})`).join(', ')})`;
  return `CRC32(CONCAT_WS(CHAR(31 USING utf8mb4), ${flags}, ${cols.join(', ')}))`;
}
