// A process that runs the JSONL feed import task (tests/integration/backfill/definitions/jsonl-feed-import.ts)
// through runTask and prints its summary as JSON: the test SIGKILLs it while a batch's transaction is open.
import postgres from 'postgres';
import { createLogger } from '@wxyc/job-runtime';
import { runTask } from '@wxyc/backfill';
import { jsonlFeedImport } from '../integration/backfill/definitions/jsonl-feed-import.js';

const sql = postgres(process.env.DATABASE_URL!, { max: 3, onnotice: () => {} });
const s = await runTask(jsonlFeedImport(process.env.FEED_URL!), {
  sql,
  log: createLogger('feed-plays', { log: (m: string) => console.error(m), error: (m: string) => console.error(m) }),
  batchSize: Number(process.env.BATCH_SIZE ?? 500),
});
console.log(JSON.stringify({ rowsProcessed: s.rowsProcessed, tables: s.tables, interrupted: s.interrupted }));
await sql.end();
