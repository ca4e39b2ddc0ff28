#!/usr/bin/env node
// pnpm legacy:load: puts the legacy tables of dev_env/legacy (DDL + seed) into a local MySQL,
// for running the ETL jobs locally (`pnpm job library-etl`).
//   LEGACY_DATABASE_URL  default mysql://root@127.0.0.1:3306/wxyc_legacy (what `pnpm job` uses)
// The database is created if missing. The tables defined here are dropped and recreated, so
// the seed loads cleanly on every run; other tables in that database are left alone.
import { readFileSync, readdirSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { DEFAULT_LEGACY_URL, readScriptArgs } from '../local-stack.mjs';

await readScriptArgs(
  {
    command: 'pnpm legacy:load',
    summary:
      'Loads the legacy MySQL tables of dev_env/legacy/ (DDL + seed) into a local MySQL/MariaDB, for running the ETLs locally. The database is created if missing; ' +
      'the tables defined there are dropped and recreated, other tables are left alone.',
    env: { LEGACY_DATABASE_URL: `the MySQL database (default ${DEFAULT_LEGACY_URL}, what \`pnpm job\` uses)` },
    notes: 'exit codes: 0 loaded, 1 a statement failed, 2 bad URL or arguments, 3 cannot connect.',
  },
  'legacy',
);

const DIR = new URL('./', import.meta.url).pathname;
const url = new URL(process.env.LEGACY_DATABASE_URL || DEFAULT_LEGACY_URL);
const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
const masked = url.password ? url.href.replace(`:${url.password}@`, ':***@') : url.href;

if (!/^(mysql|mariadb):$/.test(url.protocol) || !/^[A-Za-z0-9_]+$/.test(database)) {
  console.error(
    `[legacy] LEGACY_DATABASE_URL=${masked} must be a mysql:// URL ending in a database name (letters, digits, _).`,
  );
  process.exit(2);
}

// DDL first (flowsheet.sql, library.sql, ...), then each seed: a seed may refer to rows of another file.
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const ddl = files.filter((f) => !f.endsWith('-seed.sql'));
const seeds = files.filter((f) => f.endsWith('-seed.sql'));
const tablesOf = (text) => [...text.matchAll(/CREATE TABLE IF NOT EXISTS `(\w+)`/g)].map((m) => m[1]);

const server = new URL(url.href);
server.pathname = '/';
let conn;
try {
  conn = await mysql.createConnection({
    uri: server.href.replace(/^mariadb:/, 'mysql:'),
    multipleStatements: true,
    charset: 'utf8mb4',
    connectTimeout: 5000,
  });
} catch (err) {
  console.error(
    `[legacy] cannot connect to ${masked}: ${err.message}. Start MariaDB/MySQL or set LEGACY_DATABASE_URL.`,
  );
  process.exit(3);
}
try {
  await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8`);
  await conn.query(`USE \`${database}\``);
  for (const f of ddl) {
    const text = readFileSync(DIR + f, 'utf8');
    const tables = tablesOf(text);
    if (tables.length) await conn.query(`DROP TABLE IF EXISTS ${tables.map((t) => `\`${t}\``).join(', ')}`);
    await conn.query(text);
    console.log(`[legacy] ${f}: ${tables.join(', ')}`);
  }
  for (const f of seeds) {
    await conn.query(readFileSync(DIR + f, 'utf8'));
    console.log(`[legacy] ${f} loaded`);
  }
  console.log(`[legacy] ready: LEGACY_DATABASE_URL=${masked}`);
} catch (err) {
  console.error(`[legacy] loading into ${masked} failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await conn.end();
}
