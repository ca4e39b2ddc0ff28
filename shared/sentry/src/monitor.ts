import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RunEnd, RunHook } from '@wxyc/job-runtime';
import { isDsn, redactUrls } from './redact.js';
import { scrubEvent } from './scrub.js';

type Env = Record<string, string | undefined>;
type SentryNode = typeof import('@sentry/node');

export interface SentryMonitorOptions {
  /** The job's name: the cron monitor's slug and the `job` tag. */
  job: string;
  /** cron jobs send check-ins; every kind reports failures. */
  kind: 'cron' | 'one-shot';
  env?: Env;
}

/** How long the end of a run may wait for Sentry to take what was sent. */
export const FLUSH_MS = 2000;

/**
 * The runJob hook for Sentry: with SENTRY_DSN set, a cron check-in in_progress at the start
 * and ok/error at the end, and one error event per failed run (job, exit code, image version
 * as release; URLs reduced to their host). Without SENTRY_DSN, @sentry/node is not even loaded.
 */
export function sentryMonitor(opts: SentryMonitorOptions): RunHook {
  const env = opts.env ?? process.env;
  let sentry: SentryNode | null = null;
  let checkInId: string | null = null;
  let started = 0;
  let abortAll = (): void => {};
  return {
    async start(_name, log) {
      const dsn = env.SENTRY_DSN?.trim();
      if (!dsn) return;
      if (!isDsn(dsn)) {
        log.warn(
          'SENTRY_DSN is not a Sentry DSN (expected https://<key>@<host>/<project id>); nothing is reported to Sentry.',
        );
        return;
      }
      sentry = await import('@sentry/node');
      const bounded = boundedTransport(sentry);
      abortAll = bounded.abortAll;
      sentry.init({
        dsn,
        release: env.IMAGE_VERSION?.trim() || undefined,
        environment: env.SENTRY_ENVIRONMENT?.trim() || 'production',
        // Nothing automatic: no instrumentation, breadcrumbs or request data, only what finish() sends.
        defaultIntegrations: false,
        transport: bounded.transport,
        // No host name and no absolute paths leave the host (see scrub.ts).
        beforeSend: (event) => scrubEvent(event, process.cwd()),
      });
      started = Date.now();
      if (opts.kind === 'cron') checkInId = sentry.captureCheckIn({ monitorSlug: opts.job, status: 'in_progress' });
    },
    async finish(end) {
      if (!sentry) return;
      report(sentry, opts.job, end);
      if (checkInId) {
        const ok = end.outcome === 'ok' || end.outcome === 'skipped';
        sentry.captureCheckIn({
          checkInId,
          monitorSlug: opts.job,
          status: ok ? 'ok' : 'error',
          duration: (Date.now() - started) / 1000,
        });
      }
      await closeWithin(sentry, FLUSH_MS);
      abortAll();
    },
  };
}

/** close() waits for the queue up to `ms`; the race makes sure the end of the run never waits longer. */
async function closeWithin(sentry: SentryNode, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms + 100);
    timer.unref();
  });
  try {
    await Promise.race([sentry.close(ms).then(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

function report(sentry: SentryNode, job: string, end: RunEnd): void {
  if (end.outcome !== 'failed') return;
  const line = end.error ? `: ${redactUrls(end.error)}` : '';
  sentry.captureMessage(`${job} failed with exit code ${end.exitCode}${line}`, {
    level: 'error',
    tags: { job, exit_code: String(end.exitCode), outcome: end.outcome },
    fingerprint: [job, String(end.exitCode)],
  });
}

/**
 * Sends each envelope on a connection of its own (no keep-alive) under one deadline for the
 * whole exchange, headers and body: a socket timeout alone is an idle timeout, and a Sentry
 * that trickles a byte a second would reset it for ever and keep the process alive. `abortAll`
 * ends whatever is still in flight when the run is over.
 */
function boundedTransport(sentry: SentryNode): { transport: Transport; abortAll(): void } {
  const inFlight = new Set<ClientRequest>();
  const transport: Transport = (options) =>
    sentry.createTransport(options, (req) => {
      const url = new URL(options.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const r = send(
          url,
          {
            method: 'POST',
            agent: false,
            timeout: FLUSH_MS,
            headers: (options as { headers?: Record<string, string> }).headers,
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({
                statusCode: res.statusCode,
                headers: {
                  'x-sentry-rate-limits': header(res.headers['x-sentry-rate-limits']),
                  'retry-after': header(res.headers['retry-after']),
                },
              }),
            );
            res.on('error', reject);
          },
        );
        const deadline = setTimeout(
          () => r.destroy(new Error(`no complete answer from Sentry within ${FLUSH_MS} ms`)),
          FLUSH_MS,
        );
        deadline.unref();
        inFlight.add(r);
        r.on('close', () => {
          clearTimeout(deadline);
          inFlight.delete(r);
        });
        r.on('timeout', () => r.destroy(new Error(`no answer from Sentry within ${FLUSH_MS} ms`)));
        r.on('error', reject);
        r.end(req.body);
      });
    });
  return {
    transport,
    abortAll() {
      for (const r of inFlight) r.destroy(new Error('the run is over'));
    },
  };
}

type Transport = NonNullable<Parameters<SentryNode['init']>[0]>['transport'];
const header = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));
