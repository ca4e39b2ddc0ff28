import { emptyTableCursor, type TableCursor } from '@wxyc/legacy-etl';

export type { TableCursor } from '@wxyc/legacy-etl';
export { advance } from '@wxyc/legacy-etl';

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'flowsheet-etl'. */
export interface FlowsheetCursor {
  shows: TableCursor;
  entries: TableCursor;
}

export const JOB = 'flowsheet-etl';

export function emptyCursor(): FlowsheetCursor {
  return { shows: emptyTableCursor(), entries: emptyTableCursor() };
}
