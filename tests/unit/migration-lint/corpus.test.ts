// The labelled corpus (corpus/*.sql): migrations of the kind this station writes, each saying
// what it does to a 2.6M-row flowsheet. With stats.json the linter must fail every one that
// hurts a big table (no miss) and fail none of the lock rules on a small one (no false error).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR, schema, type TableStats } from '@wxyc/database';
import { lintSource, loadParser, newHistory, schemaTables, type History } from '@wxyc/migration-lint';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const statsWith = (flowsheet: number): TableStats => ({
  exportedAt: '',
  source: 'corpus',
  tables: {
    'wxyc_schema.flowsheet': { reltuples: flowsheet, relpages: Math.ceil(flowsheet / 33) },
    'wxyc_schema.shows': { reltuples: 150_000, relpages: 1765 },
  },
});

let afterHistory: History;
beforeAll(async () => {
  await loadParser();
  // What the real history established (index -> table), as lintDirectory carries it.
  afterHistory = newHistory();
  for (const m of loadMigrations(MIGRATIONS_DIR)) lintSource(m.file, m.content, afterHistory, m.tag);
});

function expected(text: string, size: string): { severity: 'clean' | 'note' | 'error'; rule?: string } {
  const m = text.match(new RegExp(`^-- expect on ${size}: (clean|note|error)(?: (\\S+))?$`, 'm'));
  if (!m) throw new Error(`corpus file without "-- expect on ${size}:"`);
  return { severity: m[1] as 'clean' | 'note' | 'error', rule: m[2] };
}

describe.each([
  ['2.6M rows', 2_600_000],
  ['1,000 rows', 1000],
])('the corpus with flowsheet at %s', (size, rows) => {
  it.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const want = expected(text, size);
    const { findings } = lintSource(file, text, structuredClone(afterHistory), undefined, {
      stats: statsWith(rows),
      schema: schemaTables(schema),
    });
    const errors = findings.filter((f) => f.severity === 'error');
    const notes = findings.filter((f) => f.severity === 'note');
    if (want.severity === 'clean') expect(findings).toEqual([]);
    if (want.severity === 'note') {
      expect(errors).toEqual([]);
      expect(notes.length).toBeGreaterThan(0);
      for (const n of notes)
        expect(n.message).toContain('[wxyc_schema.flowsheet: 1,000 rows, 31 pages; big from 100,000 rows]');
    }
    if (want.severity === 'error') {
      expect(errors.map((f) => f.rule)).toContain(want.rule);
    }
  });
});

it('the corpus covers safe and unsafe cases of every lock rule it names', () => {
  const labels = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  expect(labels.filter((t) => /expect on 2\.6M rows: clean/.test(t)).length).toBeGreaterThanOrEqual(5);
  expect(labels.filter((t) => /expect on 2\.6M rows: error/.test(t)).length).toBeGreaterThanOrEqual(10);
});
