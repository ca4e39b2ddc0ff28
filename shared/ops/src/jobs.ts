import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@wxyc/job-runtime';

export type JobType = 'cron' | 'one-shot';

/** A deployable job as its package.json declares it (the same fields the deploy reads with yq). */
export interface JobSpec {
  /** The folder name: image, container and run-history name. */
  name: string;
  type: JobType;
  /** Five cron fields; cron jobs only. */
  schedule: string | null;
  /** Repo-relative folder, e.g. jobs/backfills/flowsheet-dj-name-backfill. */
  dir: string;
}

/** Parses one job's package.json text; a bad job-type or missing schedule names the file. */
export function parseJobSpec(dir: string, text: string): JobSpec {
  const file = `${dir}/package.json`;
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const type = pkg['job-type'] ?? 'cron';
  const name = dir.split('/').at(-1)!;
  if (type === 'one-shot') return { name, type, schedule: null, dir };
  if (type !== 'cron')
    throw new ConfigError(`${file}: "job-type" must be "cron" or "one-shot", not ${JSON.stringify(type)}.`);
  const schedule = pkg['cron-schedule'];
  if (typeof schedule !== 'string' || schedule.trim().split(/\s+/).length !== 5) {
    throw new ConfigError(
      `${file}: job-type cron needs a "cron-schedule" of five cron fields (got ${JSON.stringify(schedule ?? null)}).`,
    );
  }
  return { name, type, schedule: schedule.trim(), dir };
}

/** Every job under <root>/jobs and <root>/jobs/backfills, sorted by name. */
export function readJobSpecs(root: string): JobSpec[] {
  const specs: JobSpec[] = [];
  for (const base of ['jobs', 'jobs/backfills']) {
    if (!existsSync(join(root, base))) continue;
    for (const d of readdirSync(join(root, base))) {
      const file = join(root, base, d, 'package.json');
      if (existsSync(file)) specs.push(parseJobSpec(`${base}/${d}`, readFileSync(file, 'utf8')));
    }
  }
  if (!specs.length)
    throw new ConfigError(
      `no jobs found under ${join(root, 'jobs')}: set OPS_JOBS_DIR to the folder that holds jobs/.`,
    );
  return specs.sort((a, b) => a.name.localeCompare(b.name));
}
