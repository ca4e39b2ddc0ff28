// Writes SQL shaped like mysqldump's output (DDL, then extended INSERTs in table-name order),
// one row per line so tests can point at a line.
import { readFileSync, writeFileSync } from 'node:fs';
import { legacyEntry, type LegacyRowValues } from './flowsheet-rows.js';

const DDL = new URL('../../../dev_env/legacy/flowsheet.sql', import.meta.url).pathname;

/** mysqldump's string escaping. */
export function mysqlString(s: string): string {
  return `'${s.replace(/[\\'"\n\r\0\x1a]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\x1a': '\\Z' })[c]!)}'`;
}

function literal(v: string | number | null): string {
  return v === null ? 'NULL' : typeof v === 'number' ? String(v) : mysqlString(v);
}

export function dumpText(ddlFile: string, tables: Record<string, LegacyRowValues[]>, rowsPerInsert = 100): string {
  const out = [
    '-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
    '/*!40101 SET NAMES utf8mb4 */;',
    readFileSync(ddlFile, 'utf8'),
  ];
  for (const name of Object.keys(tables).sort()) {
    const rows = tables[name]!;
    out.push(`LOCK TABLES \`${name}\` WRITE;`, `/*!40000 ALTER TABLE \`${name}\` DISABLE KEYS */;`);
    const cols = rows.length ? Object.keys(rows[0]!) : [];
    for (let i = 0; i < rows.length; i += rowsPerInsert) {
      const chunk = rows
        .slice(i, i + rowsPerInsert)
        .map((r) => `(${cols.map((c) => literal(r[c] ?? null)).join(',')})`);
      out.push(`INSERT INTO \`${name}\` VALUES ${chunk.join(',\n')};`);
    }
    out.push(`/*!40000 ALTER TABLE \`${name}\` ENABLE KEYS */;`, 'UNLOCK TABLES;');
  }
  return `${out.join('\n')}\n`;
}

/**
 * A dump of these shows (and one entry) whose show row 150 lacks the comma after its ID.
 * Returns the 1-based line of that row and the token the reader will stumble on.
 */
export function writeMalformedDump(file: string, shows: LegacyRowValues[]): { line: number; found: string } {
  const lines = dumpText(DDL, { FLOWSHEET_RADIO_SHOW_PROD: shows, FLOWSHEET_ENTRY_PROD: [legacyEntry(1, 1)] }).split(
    '\n',
  );
  const bad = lines.findIndex((l) => l.startsWith('(150,'));
  lines[bad] = lines[bad]!.replace(/^\(150,/, '(150 ');
  writeFileSync(file, lines.join('\n'));
  return { line: bad + 1, found: String(shows[149]!.STARTING_RADIO_HOUR) };
}
