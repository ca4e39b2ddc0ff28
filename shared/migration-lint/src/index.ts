export {
  lintSource,
  lintDirectory,
  NO_TRANSACTION_MARKER,
  DEFAULT_BIG_TABLE_ROWS,
  type Finding,
  type LintResult,
  type LintOptions,
  type SizeOptions,
} from './lint.js';
export { schemaTables, type SchemaTables } from './drizzle-schema.js';
export { loadParser } from './parse.js';
export { runLintCli, type CliIo } from './run-cli.js';
export { RULES, LOCK_RULES, isRuleId, type RuleId } from './rules.js';
export { HISTORICAL_EXCEPTIONS } from './config.js';
export { newHistory, type History } from './checks.js';
