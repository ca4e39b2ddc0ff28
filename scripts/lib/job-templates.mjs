// The files `pnpm new:job` writes for a job, as text (pure: no I/O). scripts/new-job.mjs writes them.
// The shapes follow jobs/backfills/flowsheet-dj-name-backfill and Dockerfile.flowsheet-dj-name-backfill,
// and what tests/support/dockerfile-checks.ts requires of a job folder and its image.

/** @typedef {'backfill' | 'cron'} JobKind */
/** @typedef {{ name: string, kind: JobKind, schedule: string, pnpm: string, nodeMajor: string }} JobSpec */

export const NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const DEFAULT_SCHEDULE = '0 3 * * *';

/** The job folder relative to the repo root. @param {string} name @param {JobKind} kind */
export const jobDir = (name, kind) => (kind === 'cron' ? `jobs/${name}` : `jobs/backfills/${name}`);

/** Why a cron schedule is refused (shared/ops reads five fields), or null. @param {string} s */
export function scheduleProblem(s) {
  const fields = s.trim().split(/\s+/);
  if (fields.length !== 5)
    return `--schedule "${s}" has ${fields.length} fields; a cron schedule has five (minute hour day month weekday), e.g. "17 */6 * * *"`;
  if (!fields.every((f) => /^[0-9*/,\-A-Za-z]+$/.test(f)))
    return `--schedule "${s}": each field is digits, *, /, - or , (e.g. "17 */6 * * *")`;
  return null;
}

/** Every file of a new job, path (from the repo root) -> text. @param {JobSpec} spec @returns {Record<string, string>} */
export function jobFiles(spec) {
  const dir = jobDir(spec.name, spec.kind);
  const up = dir
    .split('/')
    .map(() => '..')
    .join('/');
  return {
    [`${dir}/package.json`]: packageJson(spec),
    [`${dir}/tsconfig.json`]: `{\n  "extends": "${up}/tsconfig.base.json",\n  "compilerOptions": { "outDir": "dist", "rootDir": "." },\n  "include": ["job.ts", "src"]\n}\n`,
    [`${dir}/tsup.config.ts`]: `export { jobTsupConfig as default } from '${up}/tsup.base.js';\n`,
    [`${dir}/job.ts`]: jobTs(spec),
    [`${dir}/src/definition.ts`]: definitionTs(spec),
    [`${dir}/README.md`]: readme(spec, dir),
    [`Dockerfile.${spec.name}`]: dockerfile(spec),
    [`tests/integration/${spec.name}/${spec.name}.test.ts`]: testTs(spec, dir),
  };
}

/** @param {JobSpec} spec */
function packageJson(spec) {
  const type =
    spec.kind === 'cron' ? { 'job-type': 'cron', 'cron-schedule': spec.schedule } : { 'job-type': 'one-shot' };
  const pkg = {
    name: `@wxyc/job-${spec.name}`,
    version: '0.0.0',
    private: true,
    type: 'module',
    description: `${spec.kind === 'cron' ? 'Cron' : 'One-shot'}: ${spec.name} (describe what it does).`,
    ...type,
    scripts: { build: 'tsup', start: 'node dist/job.js' },
    dependencies: { postgres: '3.4.9' },
    devDependencies: {
      '@sentry/node': '11.12.0',
      '@types/node': '^24.19.4',
      '@wxyc/backfill': 'workspace:*',
      '@wxyc/database': 'workspace:*',
      '@wxyc/job-runtime': 'workspace:*',
      '@wxyc/sentry': 'workspace:*',
      tsup: '9.0.0',
      typescript: '~5.9.3',
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** @param {JobSpec} spec */
function jobTs(spec) {
  const kind = spec.kind === 'cron' ? 'cron' : 'one-shot';
  return `// ${spec.name}: the process around the task in src/definition.ts. runTaskJob (@wxyc/backfill) gives it
// --help, the shared settings, run history, Sentry${kind === 'cron' ? ', the tick lock and a tick budget (TASK_MAX_ROWS, TASK_MAX_MS)' : ''},
// DRY_RUN=1 and the exit codes; edit the task, not this frame.
import { readBackfillSettings, runTaskJob, type BackfillSettings } from '@wxyc/backfill';
import { EXIT } from '@wxyc/job-runtime';
import { task } from './src/definition.js';

await runTaskJob<BackfillSettings>({
  name: '${spec.name}',
  kind: '${kind}',
  help: {
    summary:
      '${spec.name}: trims stray whitespace from flowsheet track titles once its pending predicate is enabled (src/definition.ts); README.md says how to run it.',
  },
  readConfig: (env, argv) => readBackfillSettings(env, argv),
  task: () => task,
  async finish({ log }, s) {
    log.info(
      \`done: \${s.rowsWritten} rows written, \${s.rowsParked} parked, \${s.pendingAtEnd ?? 'unknown'} still pending\`,
    );
    return s.rowsParked > 0 ? EXIT.FAILED : EXIT.OK;
  },
});
`;
}

/** @param {JobSpec} spec */
function definitionTs(spec) {
  return `import type { Task } from '@wxyc/backfill';

/**
 * EDIT HERE: the work of ${spec.name}, a task of the engine (shared/backfill/README.md, "The task
 * engine (cookbook)", has one section per shape: side tables, upserts, lookups, outcomes, order,
 * budgets).
 *
 * As generated it is a working example that changes nothing: it would trim stray whitespace from
 * flowsheet track titles, but \`pending\` starts with \`false AND\`, so its pending set is empty and a
 * run reads no row. Delete \`false AND\` (or write your own table, predicate and resolve) to make it
 * do its work, and change tests/integration/${spec.name}/ to match.
 */
export const task: Task = {
  name: '${spec.name}',
  table: 'wxyc_schema.flowsheet',
  key: 'id',
  // the rows that still need work, over the walked table as \`t\`; a written row must leave this set
  pending: \`false AND t.track_title IS DISTINCT FROM btrim(t.track_title)\`,
  // SQL over the batch's rows (\`batch\`): the key, the columns to set, and \`reason\` (NULL: write them)
  resolve: \`SELECT b.id, btrim(b.track_title) AS track_title, NULL::text AS reason FROM batch b\`,
};
`;
}

/** @param {JobSpec} spec @param {string} dir */
function readme(spec, dir) {
  const cron = spec.kind === 'cron';
  return `# ${spec.name}

${cron ? `Cron job (\`${spec.schedule}\`, package.json \`cron-schedule\`)` : 'One-shot backfill (package.json `"job-type": "one-shot"`)'}, written by
\`pnpm new:job ${spec.name} --kind ${spec.kind}\`. Its work is the task in \`src/definition.ts\`, on the
engine of \`@wxyc/backfill\` (see its README's cookbook); \`job.ts\` is the frame (\`runTaskJob\`): settings,
--help, run history, Sentry${cron ? ', the tick lock' : ''} and exit codes.

**As generated it changes nothing**: the example task (trim stray whitespace from
\`wxyc_schema.flowsheet.track_title\`) has \`false AND\` in its pending predicate, so no row is pending.
Edit \`src/definition.ts\` (and this README) to say what the job does and why.

## Run it

\`\`\`sh
pnpm --filter @wxyc/job-${spec.name} build
pnpm job ${spec.name} -- --help           # flags and settings
DRY_RUN=1 pnpm job ${spec.name}           # resolve and count per outcome, write nothing
\`\`\`

Settings: \`DATABASE_URL\`, the shared \`BACKFILL_*\` settings (--help lists them)${cron ? ", `TASK_MAX_ROWS` / `TASK_MAX_MS` (a tick's budget; the next tick resumes)" : ''},
\`DRY_RUN=1\`. Flags: \`--reset\` (start over), \`--retry-parked\`.

Exit codes: 0 done (or ${cron ? 'a tick skipped while the previous one runs, or ' : ''}a dry run), 1 rows parked or a failure, 2 bad
settings or arguments, 3 database unreachable, 130 stopped by a signal (run again to resume).

## Files

- \`${dir}/src/definition.ts\`: the task (edit here)
- \`${dir}/job.ts\`: the frame
- \`Dockerfile.${spec.name}\`: the image (docs/deploy.md)
- \`tests/integration/${spec.name}/${spec.name}.test.ts\`: its test on real PostgreSQL
`;
}

/** @param {JobSpec} spec */
function dockerfile(spec) {
  return `# ${spec.kind === 'cron' ? `Cron (${spec.schedule})` : 'One-shot'}: ${spec.name}. README: ${jobDir(spec.name, spec.kind)}/README.md
FROM node:${spec.nodeMajor}-bookworm-slim AS build
RUN npm i -g pnpm@${spec.pnpm}
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter "@wxyc/job-${spec.name}..." build && pnpm --filter @wxyc/job-${spec.name} deploy --prod --legacy /out

FROM node:${spec.nodeMajor}-bookworm-slim
# Connection-level statement_timeout: the pool's start-up counts and final check; each batch sets its own.
ENV NODE_ENV=production DB_APPLICATION_NAME=${spec.name} DB_STATEMENT_TIMEOUT_MS=300000
WORKDIR /app
COPY --from=build /out ./
USER node
CMD ["node", "dist/job.js"]
`;
}

/** @param {JobSpec} spec @param {string} dir */
function testTs(spec, dir) {
  const up = '../../..';
  return `// ${spec.name}'s task on real PostgreSQL (a fresh database at the head migration). As generated the
// task's pending set is empty (\`false AND\` in src/definition.ts): the first test holds that, the
// second runs the example without it. Rewrite both when you edit the task.
import { afterAll, describe, expect, it } from 'vitest';
import { runTask } from '@wxyc/backfill';
import type { Logger } from '@wxyc/job-runtime';
import { useTestDatabase } from '${up}/tests/support/test-database.js';
import { task } from '${up}/${dir}/src/definition.js';

const db = useTestDatabase('head');
const lines: string[] = [];
const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
afterAll(() => expect(lines.some((l) => l.startsWith('error'))).toBe(false));

const titles = async () =>
  (await db.sql<{ track_title: string }[]>\`SELECT track_title FROM wxyc_schema.flowsheet ORDER BY id\`).map(
    (r) => r.track_title,
  );

describe('${spec.name}', () => {
  it('as generated, reads no row and changes nothing', async () => {
    await db.sql\`INSERT INTO wxyc_schema.flowsheet (play_order, track_title) VALUES (1, ' Padded '), (2, 'Clean')\`;
    const s = await runTask(task, { sql: db.sql, log, batchSize: 50 });
    expect([s.rowsProcessed, s.rowsWritten, s.rowsParked]).toEqual([0, 0, 0]);
    expect(await titles()).toEqual([' Padded ', 'Clean']);
  });

  it('the example resolve, enabled, trims the padded title only', async () => {
    const enabled = { ...task, pending: String(task.pending).replace(/^false AND /, '') };
    const s = await runTask(enabled, { sql: db.sql, log, batchSize: 50, reset: true });
    expect([s.rowsWritten, s.rowsParked, s.pendingAtEnd]).toEqual([1, 0, 0]);
    expect(await titles()).toEqual(['Padded', 'Clean']);
  });
});
`;
}
