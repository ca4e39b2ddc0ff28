// Staged writes on a real PostgreSQL: awkward values round-trip exactly; a refused record is named
// and its batch rolled back with the checkpoint; the staged rows need no temp table or session.
import { describe, expect, it } from 'vitest';
import { EXIT } from '@wxyc/job-runtime';
import { literalSource, loadState, runTask, writeStaged, type SourceTask, type StagedColumn } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';
import { failure } from '../../support/job-failure.js';

const db = useTestDatabase('empty');

const columns: StagedColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'text' },
  { name: 'big', type: 'numeric' },
  { name: 'at', type: 'timestamptz' },
  { name: 'doc', type: 'jsonb' },
  { name: 'bytes', type: 'bytea' },
  { name: 'tags', type: 'text[]' },
  { name: 'flag', type: 'boolean' },
];

describe('writeStaged on PostgreSQL', () => {
  it('round-trips NULLs, unicode, quotes, integers above 2^53 as text, zoned timestamps, jsonb, bytea, arrays', async () => {
    await db.sql`CREATE TABLE awkward (id bigint PRIMARY KEY, name text, big numeric, at timestamptz, doc jsonb, bytes bytea, tags text[], flag boolean)`;
    const records = [
      {
        id: '9223372036854775807',
        name: `O'Brien "quoted" \\ back; DROP TABLE awkward; --`,
        big: '123456789012345678901234567890.000001',
        at: '2026-03-08T02:30:00-05:00',
      },
      {
        id: 9007199254740993n,
        name: 'Björk · 坂本龍一 · 🎧 · e\u0301',
        at: '2026-11-01 01:30:00.123456-04',
        doc: { a: [1, 'x', null], '"k"': { deep: true } },
      },
      {
        id: -1,
        name: null,
        big: null,
        at: null,
        doc: null,
        bytes: Buffer.from([0, 1, 254, 255]),
        tags: ['a,b', 'c"d', ''],
        flag: false,
      },
      { id: 0 },
    ];
    const def = {
      name: 'awkward',
      columns,
      key: ['id'],
      write: `INSERT INTO awkward SELECT id, name, big, at, doc, bytes, tags, flag FROM staged`,
    };
    expect(await db.sql.begin((tx) => writeStaged(tx, def, records))).toBe(4);
    const rows =
      await db.sql`SELECT id::text, name, big::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at_utc, doc, encode(bytes, 'hex') AS hex, tags, flag
                              FROM awkward ORDER BY id`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      {
        id: '-1',
        name: null,
        big: null,
        at_utc: null,
        doc: null,
        hex: '0001feff',
        tags: ['a,b', 'c"d', ''],
        flag: false,
      },
      { id: '0', name: null, big: null, at_utc: null, doc: null, hex: null, tags: null, flag: null },
      {
        id: '9007199254740993',
        name: 'Björk · 坂本龍一 · 🎧 · e\u0301',
        big: null,
        at_utc: '2026-11-01 05:30:00.123456',
        doc: { a: [1, 'x', null], '"k"': { deep: true } },
        hex: null,
        tags: null,
        flag: null,
      },
      {
        id: '9223372036854775807',
        name: `O'Brien "quoted" \\ back; DROP TABLE awkward; --`,
        big: '123456789012345678901234567890.000001',
        at_utc: '2026-03-08 07:30:00.000000',
        doc: null,
        hex: null,
        tags: null,
        flag: null,
      },
    ]);
  });

  it('works on any connection of the pool: four batches at once, each in its own transaction, no temp table', async () => {
    await db.sql`CREATE TABLE pooled (id int PRIMARY KEY)`;
    const def = {
      name: 'pooled',
      columns: [{ name: 'id', type: 'int' }],
      key: ['id'],
      write: 'INSERT INTO pooled SELECT id FROM staged',
    };
    const counts = await Promise.all(
      [0, 1, 2, 3].map((k) =>
        db.sql.begin((tx) =>
          writeStaged(
            tx,
            def,
            Array.from({ length: 50 }, (_, i) => ({ id: k * 50 + i })),
          ),
        ),
      ),
    );
    expect(counts).toEqual([50, 50, 50, 50]);
    expect((await db.sql`SELECT count(*)::int AS n FROM pooled`)[0]!.n).toBe(200);
  });

  it('a constraint violated mid-batch: one line naming the record, the batch and its checkpoint rolled back', async () => {
    await db.sql`CREATE TABLE plays (id int PRIMARY KEY, artist text NOT NULL CHECK (artist <> ''))`;
    await db.sql`INSERT INTO plays VALUES (137, 'already here')`;
    const records = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, artist: `artist ${i + 1}` }));
    const def: SourceTask = {
      name: 'plays-import',
      source: literalSource('plays', records),
      staged: {
        table: 'plays',
        columns: [
          { name: 'id', type: 'int' },
          { name: 'artist', type: 'text' },
        ],
        key: ['id'],
        write: 'INSERT INTO plays (id, artist) SELECT id, artist FROM staged',
      },
    };
    const run = () => runTask(def, { sql: db.sql, log: captureLog(), batchSize: 100 });
    const err = await failure(run());
    expect(err.exitCode).toBe(EXIT.FAILED);
    expect(err.message).toBe(
      'import plays-import: record id=137 (37 of a batch of 100) was refused: duplicate key value violates unique constraint "plays_pkey" (SQLSTATE 23505); ' +
        'the batch was rolled back and its checkpoint not saved; fix the record or the write, then run again (it resumes at this batch)',
    );
    // batch 1 (1..100) committed with its checkpoint; nothing of batch 2
    expect((await db.sql`SELECT count(*)::int AS n, max(id) AS m FROM plays WHERE id <> 137`)[0]).toEqual({
      n: 100,
      m: 100,
    });
    expect((await loadState(db.sql, 'plays-import'))?.checkpoint).toEqual({ offset: 100 });

    // fixed at the source: the rerun resumes at batch 2 and writes each row once
    await db.sql`DELETE FROM plays WHERE id = 137`;
    const s = await run();
    expect({ batches: s.batches, rows: s.rowsProcessed, written: s.tables.plays?.inserted }).toEqual({
      batches: 3,
      rows: 300,
      written: 200,
    });
    expect((await db.sql`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM plays`)[0]).toEqual({
      n: 300,
      d: 300,
    });
  });

  it('a duplicate within the batch and a bad value for a type name the record that clashes', async () => {
    await db.sql`CREATE TABLE uniq (id int PRIMARY KEY, n int)`;
    const def = {
      name: 'uniq',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'n', type: 'text' },
      ],
      key: ['id'],
      write: 'INSERT INTO uniq SELECT id, n::int FROM staged',
    };
    const dup = await failure(
      db.sql.begin((tx) => writeStaged(tx, def, [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 2 }, { id: 5 }])),
    );
    expect(dup.message).toMatch(/^import uniq: record id=2 \(4 of a batch of 5\) was refused: duplicate key value/);
    const bad = await failure(
      db.sql.begin((tx) =>
        writeStaged(tx, def, [
          { id: 1, n: '1' },
          { id: 2, n: 'two' },
        ]),
      ),
    );
    expect(bad.message).toMatch(
      /^import uniq: record id=2 \(2 of a batch of 2\) was refused: invalid input syntax for type integer: "two" \(SQLSTATE 22P02\)/,
    );
    expect((await db.sql`SELECT count(*)::int AS n FROM uniq`)[0]!.n).toBe(0);
  });
});
