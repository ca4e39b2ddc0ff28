// postgres.js 3.4.9 with our patch (patches/postgres@3.4.9.patch, porsager/postgres#1208): the
// backfill engine holds its advisory lock on a reserved connection, and a backend terminated
// mid-statement left that connection with a write queued on a socket that was gone. The next
// statement on it threw "Cannot read properties of null (reading 'write')" from a timer: an
// uncaught exception (the process died, or in a test the run hung). Released, the dead connection
// went back to the pool as open, and the next reserve() got it again.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { createDbClient } from '@wxyc/database';
import { useTestDatabase } from './../support/test-database.js';

const db = useTestDatabase('empty');

/** The statement, again after the old backend's FATAL replayed to the new socket (porsager/postgres#1223). */
async function settled<T>(q: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await q();
    } catch (err) {
      if (i === 5 || (err as { code?: string }).code !== '57P01') throw err;
    }
  }
}

it('the patch is installed (pnpm patchedDependencies)', () => {
  const entry = createRequire(import.meta.url).resolve('postgres');
  const src = readFileSync(entry.replace(/cjs[/\\]src[/\\]index\.js$|src[/\\]index\.js$/, 'src/connection.js'), 'utf8');
  expect(src).toContain('wxyc-jobs patch (porsager/postgres#1208)');
});

it('a reserved connection whose backend is terminated mid-statement: the next statement rejects, and a new reserve works', async () => {
  const sql = createDbClient({ applicationName: 'reserved-close', url: db.url, max: 2 });
  const admin = createDbClient({ applicationName: 'reserved-close-admin', url: db.url, max: 1 });
  try {
    const dead = await sql.reserve();
    const pid = (await settled(() => dead`SELECT pg_backend_pid() AS pid`))[0]!.pid as number;
    const running = dead`SELECT pg_sleep(30)`.then(
      () => 'finished',
      (e: { code?: string }) => e.code ?? 'error',
    );
    // terminated once the statement is running on the server
    for (;;) {
      const [a] = await admin`SELECT state FROM pg_stat_activity WHERE pid = ${pid}`;
      if (a?.state === 'active') break;
    }
    await admin`SELECT pg_terminate_backend(${pid})`;
    expect(['57P01', 'CONNECTION_CLOSED']).toContain(await running);
    const next = await dead`SELECT 1 AS x`.then(
      () => 'ok',
      (e: { code?: string }) => e.code ?? 'error',
    );
    expect(next).toBe('CONNECTION_CLOSED');
    dead.release();
    // the pool still serves: at most the replayed FATAL of #1223, then a working connection
    const r = await sql.reserve();
    const x = await settled(() => r`SELECT 2 AS x`);
    expect(x[0]!.x).toBe(2);
    r.release();
  } finally {
    await sql.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
  }
});
