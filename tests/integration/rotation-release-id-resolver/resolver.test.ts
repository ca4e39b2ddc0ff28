// rotation-release-id-resolver as a child process against real PostgreSQL and the LML stand-in:
// each outcome on seeded rotation rows, entities decoded in what the service receives, DRY_RUN,
// the re-ask TTL, the on-air pause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { startLmlServer, type LmlScript } from '../../support/lml-server.js';
import { API_KEY, runResolver, startResolver, summaryOf } from './run-job.js';

const db = useTestDatabase();
const direct = (id: number): LmlScript => ({
  answer: { results: [{ artwork: { release_id: id } }], search_type: 'direct' },
});
const script = new Map<string, LmlScript>([
  ['Stereolab - Dots and Loops', direct(111)],
  ['Zero - Streaming', direct(0)],
  ['Alt - Fallback', { answer: { results: [{ artwork: { release_id: 333 } }], search_type: 'fallback' } }],
  ['None - Nothing', { answer: { results: [] } }],
  ['Down - Server', { status: 503 }],
  ['Simon & Garfunkel - Café Blue', direct(666)],
]);
let lml: Awaited<ReturnType<typeof startLmlServer>>;
beforeAll(async () => {
  lml = await startLmlServer(API_KEY, script);
  await db.sql`
    INSERT INTO wxyc_schema.rotation (id, rotation_bin, artist_name, album_title, discogs_release_id, kill_date) VALUES
      (1, 'H', 'Stereolab', 'Dots and Loops', NULL, NULL),
      (2, 'H', 'Zero', 'Streaming', NULL, NULL),
      (3, 'M', 'Alt', 'Fallback', NULL, NULL),
      (4, 'M', 'None', 'Nothing', NULL, NULL),
      (5, 'L', 'Down', 'Server', NULL, NULL),
      (6, 'L', 'Simon &amp; Garfunkel', 'Caf&#233; Blue', 0, NULL),
      (7, 'L', '&#32;', 'Blank', NULL, NULL),
      (8, 'S', 'Killed', 'Gone', NULL, '2026-01-01'),
      (9, 'S', 'Has', 'Id', 999, NULL),
      (10, 'S', NULL, 'No Artist', NULL, NULL)`;
});
afterAll(() => lml.close());

const rows = async () =>
  (
    await db.sql`SELECT id, discogs_release_id AS rid, discogs_release_id_source AS src, discogs_release_id_attempted_at IS NOT NULL AS stamped
                 FROM wxyc_schema.rotation ORDER BY id`
  ).map((r) => [r.id, r.rid, r.src, r.stamped]);
const asked = () => lml.requests.map((r) => (r.body as { raw_message: string }).raw_message);
const UNTOUCHED = [
  [1, null, 'legacy', false],
  [2, null, 'legacy', false],
  [3, null, 'legacy', false],
  [4, null, 'legacy', false],
  [5, null, 'legacy', false],
  [6, 0, 'legacy', false],
  [7, null, 'legacy', false],
  [8, null, 'legacy', false],
  [9, 999, 'legacy', false],
  [10, null, 'legacy', false],
];
const COUNTS = { scanned: 7, resolved: 2, sentinel: 1, trust_rejected: 1, no_match: 1, transient: 1, parked: 1 };

describe('rotation-release-id-resolver (the built job)', () => {
  it('DRY_RUN=1: asks, prints the counts per outcome, writes nothing (no id, no stamp, no state)', async () => {
    const r = await runResolver(db.url, lml.url, { DRY_RUN: '1' });
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(summaryOf(r.lines)).toEqual(COUNTS);
    expect(r.lines.join('\n')).toMatch(/summary \(dry run: nothing written\)/);
    expect(await rows()).toEqual(UNTOUCHED);
    // no engine state either: the state table is not even created by a dry run
    expect(await db.sql`SELECT to_regclass('backfill.runs') AS t`).toEqual([{ t: null }]);
  });

  it('each outcome: resolved writes id + source + stamp; sentinel, trust_rejected, no_match stamp only; 5xx stays pending; bad input parked', async () => {
    lml.requests.length = 0;
    const r = await runResolver(db.url, lml.url);
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(summaryOf(r.lines)).toEqual(COUNTS);
    expect(await rows()).toEqual([
      [1, 111, 'lml_direct', true],
      [2, null, 'legacy', true],
      [3, null, 'legacy', true], // a fallback's id is never written
      [4, null, 'legacy', true],
      [5, null, 'legacy', false], // transient: no stamp, pending
      [6, 666, 'lml_direct', true], // the legacy 0 counts as no id
      [7, null, 'legacy', false], // parked
      [8, null, 'legacy', false], // killed: not asked
      [9, 999, 'legacy', false], // has an id: not asked
      [10, null, 'legacy', false], // no artist: not asked
    ]);
    expect(new Set(asked())).toEqual(new Set([...script.keys()]));
    expect(asked().filter((k) => k === 'Down - Server').length).toBeGreaterThan(1); // retried before giving up
    // entities decoded before asking; the key as a Bearer token
    const amp = lml.requests.find((q) => (q.body as { album: string }).album.startsWith('Caf'))!;
    expect(amp.body).toEqual({
      artist: 'Simon & Garfunkel',
      album: 'Café Blue',
      raw_message: 'Simon & Garfunkel - Café Blue',
    });
    expect(amp.auth).toBe(`Bearer ${API_KEY}`);
    expect(r.lines.join('\n')).not.toContain(API_KEY);
  });

  it('the TTL: a no-match stamped 31 days ago is asked again, one stamped yesterday is not; the transient row is asked again', async () => {
    await db.sql`UPDATE wxyc_schema.rotation SET discogs_release_id_attempted_at = now() - interval '31 days' WHERE id = 4`;
    await db.sql`UPDATE wxyc_schema.rotation SET discogs_release_id_attempted_at = now() - interval '1 day' WHERE id IN (2, 3)`;
    script.set('Down - Server', direct(555));
    lml.requests.length = 0;
    const r = await runResolver(db.url, lml.url);
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(asked().sort()).toEqual(['Down - Server', 'None - Nothing']);
    expect(summaryOf(r.lines)).toMatchObject({ scanned: 2, resolved: 1, no_match: 1, transient: 0 });
    const [four] =
      await db.sql`SELECT discogs_release_id_attempted_at > now() - interval '1 hour' AS fresh FROM wxyc_schema.rotation WHERE id = 4`;
    expect(four!.fresh).toBe(true);
    expect((await rows())[4]).toEqual([5, 555, 'lml_direct', true]);
  });

  it('pauses while a DJ is on air (a flowsheet entry in the last 60 s): asks nothing until it ages out', async () => {
    await db.sql`INSERT INTO wxyc_schema.rotation (id, rotation_bin, artist_name, album_title) VALUES (11, 'H', 'Late', 'Arrival')`;
    const [{ id }] = (await db.sql`
      INSERT INTO wxyc_schema.flowsheet (entry_type, play_order, add_time) VALUES ('track', 1, now() - interval '57 seconds') RETURNING id`) as unknown as [
      { id: number },
    ];
    lml.requests.length = 0;
    const r = await runResolver(db.url, lml.url);
    expect(r.code, r.lines.join('\n')).toBe(0);
    const pause = r.lines.findIndex((l) => l.includes(`a DJ is on air (flowsheet entry ${id}`));
    expect(pause, r.lines.join('\n')).toBeGreaterThanOrEqual(0);
    expect(pause).toBeLessThan(r.lines.findIndex((l) => l.includes('summary: scanned 1')));
    expect(asked()).toEqual(['Late - Arrival']);
    expect((await rows())[10]).toEqual([11, 1000 + 'Late - Arrival'.length, 'lml_direct', true]);
  });

  it('a refused key (401) stops the run with exit 1 and one clear line; nothing is stamped, the key is never printed', async () => {
    await db.sql`INSERT INTO wxyc_schema.rotation (id, rotation_bin, artist_name, album_title) SELECT g, 'M', 'Key', 'Album ' || g FROM generate_series(20, 22) g`;
    const r = await runResolver(db.url, lml.url, { LML_API_KEY: 'wrong-key-91c' });
    expect(r.code, r.lines.join('\n')).toBe(1);
    expect(r.lines.join('\n')).toMatch(/refused the API key \(HTTP 401\): check LML_API_KEY/);
    expect(r.lines.filter((l) => /error|\s+at /.test(l))).toEqual([
      '[backfill] error: the lookup service refused the API key (HTTP 401): check LML_API_KEY',
    ]);
    expect(r.lines.join('\n')).not.toContain('wrong-key-91c');
    expect(
      await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.rotation WHERE id >= 20 AND discogs_release_id_attempted_at IS NOT NULL`,
    ).toEqual([{ n: 0 }]);
  });

  it('SIGTERM while answers trickle in: exit 130, the rows in flight are neither stamped nor parked; the next run resolves them', async () => {
    for (let g = 20; g <= 22; g++) script.set(`Key - Album ${g}`, { trickle: 300 });
    lml.requests.length = 0;
    const p = startResolver(db.url, lml.url);
    while (lml.requests.length < 2 && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.lines.join('\n')).toBe(130);
    const untouched =
      await db.sql`SELECT id FROM wxyc_schema.rotation WHERE id >= 20 AND discogs_release_id_attempted_at IS NULL AND discogs_release_id IS NULL ORDER BY id`;
    expect(untouched.map((x) => x.id)).toEqual([20, 21, 22]);
    for (let g = 20; g <= 22; g++) script.delete(`Key - Album ${g}`);
    const again = await runResolver(db.url, lml.url);
    expect(again.code, again.lines.join('\n')).toBe(0);
    expect(summaryOf(again.lines)).toMatchObject({ resolved: 3, parked: 0 });
    expect(
      await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.rotation WHERE id >= 20 AND discogs_release_id_source = 'lml_direct'`,
    ).toEqual([{ n: 3 }]);
  });

  it('bad settings: one line naming the variable, exit 2, before any lookup', async () => {
    lml.requests.length = 0;
    const r = await runResolver(db.url, lml.url, { LML_URL: 'https://user:pw-5d1@lml.example.org' });
    expect(r.code, r.lines.join('\n')).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/LML_URL must not carry credentials/);
    expect(r.lines[0]).not.toContain('pw-5d1');
    const rate = await runResolver(db.url, lml.url, { LML_REQUESTS_PER_MINUTE: 'fast' });
    expect([rate.code, rate.lines.length]).toEqual([2, 1]);
    expect(rate.lines[0]).toMatch(/LML_REQUESTS_PER_MINUTE/);
    expect(lml.requests).toEqual([]);
  });
});
