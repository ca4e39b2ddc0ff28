// postgresSource against another PostgreSQL database: composite keyset pages, values kept exact
// (int8 above 2^53, microsecond zoned times), resumed at a checkpoint; a terminated source
// connection ends in one line with the URL masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, JobError } from '@wxyc/job-runtime';
import { postgresSource, writeStaged, type SourceReader } from '@wxyc/backfill';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { failure } from '../../support/job-failure.js';

const target = useTestDatabase('empty');
let other: TestDatabase;

beforeAll(async () => {
  other = await createTestDatabase('empty');
  await other.sql`CREATE TABLE plays (played_at timestamptz NOT NULL, id bigint NOT NULL, artist text, PRIMARY KEY (played_at, id))`;
  // 250 plays, 10 per microsecond-precise instant: the composite key (played_at, id) is unique
  await other.sql`INSERT INTO plays SELECT timestamptz '2026-04-01 12:00:00.000001+00' + (g / 10) * interval '1.000001 s', 9007199254740993 + g, 'Artist ' || g || ' é'
                  FROM generate_series(0, 249) g`;
  await target.sql`CREATE TABLE copied (played_at timestamptz, id bigint, artist text)`;
});
afterAll(() => other?.drop());

const spec = () => ({
  url: other.url,
  from: 'public.plays p',
  select: 'p.played_at, p.id, p.artist',
  key: ['p.played_at', 'p.id'],
  where: 'p.artist <> $1',
  params: ['nobody'],
});
const def = {
  name: 'copy',
  columns: [
    { name: 'played_at', type: 'timestamptz' },
    { name: 'id', type: 'bigint' },
    { name: 'artist', type: 'text' },
  ],
  key: ['played_at', 'id'],
  write: 'INSERT INTO copied SELECT played_at, id, artist FROM staged',
};

describe('postgresSource', () => {
  it('pages by a composite key in pages that split an instant; a resume reads the rest once; values exact', async () => {
    const src = postgresSource(spec());
    let r: SourceReader = await src.open(null);
    let b = await r.next(37);
    await target.sql.begin((tx) => writeStaged(tx, def, b.records));
    expect(b.checkpoint).toEqual({ after: ['2026-04-01 12:00:03.000004+00', '9007199254741029'] });
    await r.close();
    r = await src.open(b.checkpoint);
    let n = 37;
    do {
      b = await r.next(37);
      await target.sql.begin((tx) => writeStaged(tx, def, b.records));
      n += b.records.length;
    } while (!b.done);
    await r.close();
    expect(n).toBe(250);
    const same = await target.sql`
      SELECT count(*)::int AS n, count(DISTINCT id)::int AS d,
             count(*) FILTER (WHERE played_at = timestamptz '2026-04-01 12:00:00.000001+00' + ((id - 9007199254740993) / 10) * interval '1.000001 s')::int AS exact
      FROM copied`;
    expect(same[0]).toEqual({ n: 250, d: 250, exact: 250 });
    expect((await target.sql`SELECT artist FROM copied WHERE id = 9007199254741242`)[0]!.artist).toBe('Artist 249 é');
  });

  it('its connection terminated mid-run: exit 3, one line, the password masked', async () => {
    // a role of this test's own with a password (never the harness's user)
    const role = `src_reader_${other.name.slice(-12)}`;
    await other.sql.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-s3cret'`);
    await other.sql.unsafe(`GRANT SELECT ON plays TO ${role}`);
    const u = new URL(other.url);
    u.username = role;
    u.password = 'pw-s3cret';
    const r = await postgresSource({ ...spec(), url: u.toString() }).open(null);
    const first = await r.next(10);
    const terminate = () =>
      other.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'backfill-source' AND datname = current_database()`;
    // each page is its own keyset query: the page after a terminated backend either follows on a new
    // connection or, when the client reads the reset first, fails as the fault below (a rerun resumes)
    await terminate();
    const second = await r.next(10).catch((e: unknown) => e);
    if (second instanceof JobError) expect(second.exitCode).toBe(EXIT.UNREACHABLE);
    else expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
    // a connection that cannot come back is the fault: one line, exit 3
    await other.sql.unsafe(`ALTER ROLE ${role} NOLOGIN`);
    await terminate();
    const err = await failure(r.next(10));
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(
      /^source postgres postgres(ql)?:\/\/\w+:\*\*\*@[^ ]+ \(public\.plays\): the connection failed: .*; run again to resume from its checkpoint$/,
    );
    expect(err.message).not.toContain('s3cret');
    await r.close();
    await other.sql.unsafe(`DROP OWNED BY ${role}`);
    await other.sql.unsafe(`DROP ROLE ${role}`);
  });

  it('a bad checkpoint or a query error is one line too', async () => {
    const bad = await failure(postgresSource(spec()).open({ after: [1] }));
    expect(bad.exitCode).toBe(EXIT.CONFIG);
    expect(bad.message).toMatch(
      /checkpoint \{"after":\[1\]\} is not 2 key value\(s\) of \(p\.played_at, p\.id\); rerun with --reset/,
    );
    const r = await postgresSource({ ...spec(), select: 'p.nope' }).open(null);
    const q = await failure(r.next(5));
    expect(q.exitCode).toBe(EXIT.FAILED);
    expect(q.message).toMatch(/the page query failed: column p\.nope does not exist \(SQLSTATE 42703\)/);
    await r.close();
  });
});
