export { lintSource, lintDirectory, NO_TRANSACTION_MARKER, type Finding, type LintResult } from './lint.js';
export { loadParser } from './parse.js';
export { runLintCli, type CliIo } from './run-cli.js';
export { RULES, isRuleId, type RuleId } from './rules.js';
export { HISTORICAL_EXCEPTIONS } from './config.js';
export { newHistory, type History } from './checks.js';
