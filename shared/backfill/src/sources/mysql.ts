import { JobError } from '@wxyc/job-runtime';
import { maskUrl } from '@wxyc/database';
import type { TableRead } from './keyset.js';
import type { RecordSource } from './source.js';
import { afterOf, checkTableRead, keysetReader } from './table-reader.js';

export interface MysqlSourceSpec extends TableRead {
  /** mysql:// (or mariadb://) URL; read-only use, every value a `?` parameter. */
  url: string;
  connectTimeoutMs?: number;
}

/**
 * Rows of a MySQL/MariaDB query in pages by a declared key (`{ after: [key...] }` checkpoint),
 * optionally within a window (`window: { column: 'TIME_CREATED', from, to }`). The connection is
 * `connectLegacy`'s (the ETLs'): its errors name MySQL and the masked URL; a lost connection or a
 * killed query is exit 3 and the run resumes from the last committed page. Values as it returns
 * them: BIGINTs above 2^53 as strings, DATETIMEs as zone-less strings.
 */
export function mysqlSource(spec: MysqlSourceSpec): RecordSource {
  const label = `mysql ${maskUrl(spec.url)} (${spec.from.trim().split(/\s/)[0]})`;
  return {
    name: label,
    async open(checkpoint) {
      checkTableRead(label, spec);
      const start = afterOf(label, spec, checkpoint);
      // Loaded on use: a job without a MySQL source does not need mysql2 in its image.
      const { connectLegacy } = await import('@wxyc/legacy-etl');
      const conn = await connectLegacy(spec.url, { connectTimeoutMs: spec.connectTimeoutMs }).catch((err: unknown) => {
        throw named(label, err);
      });
      return keysetReader(
        label,
        'mysql',
        spec,
        start,
        (sql, params) => conn.query(sql, params).catch((err: unknown) => Promise.reject(named(label, err))),
        () => conn.close(),
      );
    },
  };
}

/** connectLegacy's one line (exit code kept), said to be this source's. */
function named(label: string, err: unknown): unknown {
  return err instanceof JobError ? new JobError(`source ${label}: ${err.message}`, err.exitCode) : err;
}
