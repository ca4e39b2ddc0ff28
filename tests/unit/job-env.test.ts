import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerfileEnv, findJobDir, listJobs } from '../../dev_env/job-env.mjs';

describe('dockerfileEnv', () => {
  it('reads the ENV of the last stage only, in both syntaxes, with continuations', () => {
    const text = [
      'FROM node:24 AS build',
      'ENV BUILD_ONLY=1',
      'FROM node:24-bookworm-slim',
      'ENV NODE_ENV=production \\',
      '    DB_APPLICATION_NAME=flowsheet-etl DB_STATEMENT_TIMEOUT_MS=120000',
      'ENV GREETING="hello world"',
      'ENV LEGACY_FORM some value',
      'CMD ["node", "dist/job.js"]',
    ].join('\n');
    expect(dockerfileEnv(text)).toEqual({
      NODE_ENV: 'production',
      DB_APPLICATION_NAME: 'flowsheet-etl',
      DB_STATEMENT_TIMEOUT_MS: '120000',
      GREETING: 'hello world',
      LEGACY_FORM: 'some value',
    });
  });
});

describe('findJobDir', () => {
  const root = `${mkdtempSync(join(tmpdir(), 'jobs-'))}/`;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const d of ['jobs/flowsheet-etl', 'jobs/backfills/some-backfill']) {
    mkdirSync(`${root}${d}`, { recursive: true });
    writeFileSync(`${root}${d}/package.json`, '{}');
  }

  it('finds cron jobs and backfills by folder name', () => {
    expect(findJobDir(root, 'flowsheet-etl')).toBe('jobs/flowsheet-etl');
    expect(findJobDir(root, 'some-backfill')).toBe('jobs/backfills/some-backfill');
    expect(listJobs(root)).toEqual(['flowsheet-etl', 'some-backfill']);
  });

  it('refuses names that are not a plain job folder', () => {
    for (const bad of ['missing', '../etc', 'backfills', 'a;rm -rf /', '']) expect(findJobDir(root, bad)).toBeNull();
  });
});
