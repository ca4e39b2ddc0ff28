// A process that imports the JSONL feed (tests/integration/backfill/definitions/jsonl-feed-import.ts)
// through the per-batch steps; with CRASH_AT=n it SIGKILLs itself inside batch n's transaction,
// after its rows are written and before its checkpoint commits: a crash mid-run.
import postgres from 'postgres';
import { jsonlFeedImport } from '../integration/backfill/definitions/jsonl-feed-import.js';
import { importAll } from './source-import.js';

const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
const crashAt = Number(process.env.CRASH_AT ?? 0);
const result = await importAll(sql, jsonlFeedImport(process.env.FEED_URL!), {
  batchSize: Number(process.env.BATCH_SIZE ?? 500),
  inBatch(batch) {
    if (batch === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
console.log(JSON.stringify(result));
await sql.end();
