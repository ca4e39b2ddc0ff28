import { hostname } from 'node:os';
import { intEnv } from '@wxyc/job-runtime';

type Env = Record<string, string | undefined>;

export type RunKind = 'cron' | 'one-shot' | 'migrate';

export interface HistorySettings {
  /** JOB_HOST, else the machine's (or pod's) host name: tells two hosts' runs apart. */
  host: string;
  /** IMAGE_VERSION (the image tag the deploy ran), null when unset. */
  imageVersion: string | null;
  /** Runs older than this many days are deleted by the job's own next run. */
  retentionDays: number;
  heartbeatMs: number;
}

export function readHistorySettings(env: Env): HistorySettings {
  return {
    host: env.JOB_HOST?.trim() || hostname(),
    imageVersion: env.IMAGE_VERSION?.trim() || null,
    retentionDays: intEnv(env, 'RUN_HISTORY_RETENTION_DAYS', { default: 30, min: 1, max: 3650 }),
    heartbeatMs: intEnv(env, 'RUN_HISTORY_HEARTBEAT_S', { default: 30, min: 1, max: 3600 }) * 1000,
  };
}

/**
 * Error lines are stored and sent elsewhere: URLs in them are masked and lose their query
 * string (where a password can hide too), and the line stays short.
 */
export function scrubError(line: string | null, mask: (url: string) => string, max = 500): string | null {
  if (line === null) return null;
  const masked = line.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => {
    const q = u.indexOf('?');
    return q < 0 ? mask(u) : `${mask(u.slice(0, q))}?…`;
  });
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}
