// Test-only definition: label and year of each album from an HTTP metadata API (a TypeScript
// resolve), one lookup per catalogue key; a trigger counts each row's writes.
import type { Sql } from 'postgres';
import type { LimiterSettings, LookupBackfillDefinition } from '@wxyc/backfill';

export async function createAlbumTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE albums (id int PRIMARY KEY, catalogue text NOT NULL, label varchar(40), year int, writes int NOT NULL DEFAULT 0)`;
  await sql`
    CREATE FUNCTION count_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.label IS DISTINCT FROM OLD.label THEN NEW.writes := OLD.writes + 1; END IF; RETURN NEW; END $$`;
  await sql`CREATE TRIGGER albums_writes BEFORE UPDATE ON albums FOR EACH ROW EXECUTE FUNCTION count_writes()`;
}

export const albumLookup = (api: string, limiter: Partial<LimiterSettings>): LookupBackfillDefinition => ({
  name: 'album-lookup',
  table: 'public.albums',
  key: 'id',
  columns: ['label', 'year'],
  pending: 't.label IS NULL',
  lookupKey: (row) => row.catalogue as string,
  async lookup(key, fetch) {
    const res = await fetch(`${api}/albums/${encodeURIComponent(key)}`);
    if (!res.ok) throw new Error(`metadata API answered ${res.status} for ${key}`);
    const body = (await res.json()) as { label: string; year: number };
    return { label: body.label, year: body.year };
  },
  limiter,
});
