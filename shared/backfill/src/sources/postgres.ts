import postgres from 'postgres';
import { EXIT, JobError, describeError, isUnreachable } from '@wxyc/job-runtime';
import { isConnectionLost, maskUrl } from '@wxyc/database';
import type { TableRead } from './keyset.js';
import { sourceFailed, type RecordSource, type SourceRecord } from './source.js';
import { afterOf, checkTableRead, keysetReader } from './table-reader.js';

export interface PostgresSourceSpec extends TableRead {
  /** postgres:// URL of the other database (never the job's own pool: that is the walked table). */
  url: string;
  connectTimeoutMs?: number;
  /** Per page; a page that takes longer is an error (the run resumes from the last committed page). */
  statementTimeoutMs?: number;
}

// date, time, timestamp, timestamptz, timetz: kept as the server's text (in UTC), so microseconds
// and zones survive the trip; JavaScript Dates would cut them to milliseconds.
const DATE_TIME_OIDS = [1082, 1083, 1114, 1184, 1266];

/**
 * Rows of a query on another PostgreSQL database in pages by a declared key (row-value keyset for
 * a composite key). int8 and numeric come back as strings, timestamps as text in UTC, bytea as
 * bytes (staged as `\x..`). One connection, closed by `close()`.
 */
export function postgresSource(spec: PostgresSourceSpec): RecordSource {
  const masked = maskUrl(spec.url);
  const label = `postgres ${masked} (${spec.from.trim().split(/\s/)[0]})`;
  return {
    name: label,
    async open(checkpoint) {
      checkTableRead(label, spec);
      const start = afterOf(label, spec, checkpoint);
      const sql = postgres(spec.url, {
        max: 1,
        onnotice: () => {},
        connect_timeout: Math.ceil((spec.connectTimeoutMs ?? 10_000) / 1000),
        connection: {
          application_name: 'backfill-source',
          TimeZone: 'UTC',
          statement_timeout: spec.statementTimeoutMs ?? 60_000,
        },
        types: {
          dateTimeText: { to: 25, from: DATE_TIME_OIDS, serialize: (x: unknown) => String(x), parse: (x: string) => x },
        },
      });
      const query = async (text: string, params: unknown[]) => {
        try {
          return (await sql.unsafe(text, params as never[])) as unknown as SourceRecord[];
        } catch (err) {
          throw pgSourceError(label, err);
        }
      };
      await query('SELECT 1', []);
      return keysetReader(label, 'postgres', spec, start, query, () => sql.end({ timeout: 5 }));
    },
  };
}

function pgSourceError(label: string, err: unknown): Error {
  if (isConnectionLost(err) || isUnreachable(err))
    return sourceFailed(label, `the connection failed: ${describeError(err)}`);
  const code = (err as { code?: string }).code;
  if (code === '57014')
    return sourceFailed(label, `a page took longer than its statement timeout: ${describeError(err)}`);
  if (code === '28P01' || code === '3D000' || code === '28000')
    return new JobError(`source ${label} refused the connection: ${describeError(err)}. Fix its URL.`, EXIT.CONFIG);
  return new JobError(`source ${label}: the page query failed: ${describeError(err)}`, EXIT.FAILED);
}
