export {
  sourceFailed,
  sourceDataError,
  sourceConfigError,
  type RecordSource,
  type SourceReader,
  type SourceBatch,
  type SourceRecord,
  type Checkpoint,
  type Json,
} from './source.js';
export {
  recordsetSql,
  stagedStatement,
  stagingJson,
  stagedColumnsProblem,
  recordKey,
  type StagedColumn,
} from './stage.js';
export { pageQuery, tableReadProblem, keyField, type TableRead, type Dialect } from './keyset.js';
export { literalSource } from './literal.js';
export { mysqlSource, type MysqlSourceSpec } from './mysql.js';
export { postgresSource, type PostgresSourceSpec } from './postgres.js';
export { httpJsonlSource, type HttpFeedSpec } from './http.js';
export { fileJsonlSource, type FileSpec } from './file.js';
export { jsonlReader, type JsonlOptions } from './jsonl.js';
export { LineReader, ReadDeadline, LineTooLong, type Line } from './lines.js';
export { writeStaged, type StagedWrite, type Queryable } from './write.js';
