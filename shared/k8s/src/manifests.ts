import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { IIoK8sApiCoreV1PodSpec } from 'kubernetes-models/v1/PodSpec';
import { ConfigError } from '@wxyc/job-runtime';
import { createHash } from 'node:crypto';
import { schedulePeriodMs, STATION_TIME_ZONE, type JobSpec } from '@wxyc/ops';

export interface ManifestOptions {
  /** Image registry prefix, e.g. 123.dkr.ecr.us-east-1.amazonaws.com; none = the cluster's default registry. */
  registry: string | null;
  /** Image tag of this deploy (sha-<commit>); also the runs' IMAGE_VERSION. */
  tag: string;
  namespace: string;
  /** Secret holding what the host keeps in ~/.env (DATABASE_URL, LEGACY_DATABASE_URL, SENTRY_DSN...). */
  secret: string;
}

/** The host's `timeout 8m` around the migrate run (host/migrate.sh), as the migrate Job's deadline. */
export const MIGRATE_DEADLINE_S = 8 * 60;
/** A tick that could not start within this long after its time waits for the next one. */
export const STARTING_DEADLINE_S = 300;
/** Room for SIGTERM: jobs stop at a committed checkpoint, the runner rolls back (~9 s at most). */
export const GRACE_S = 30;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function imageOf(o: ManifestOptions, image: string): string {
  return `${o.registry ? `${o.registry.replace(/\/+$/, '')}/` : ''}wxyc-jobs/${image}:${o.tag}`;
}

/** The pod every job runs in: its image, env from the Secret, the run-history env, bounded resources, no root. */
function podSpec(o: ManifestOptions, name: string, image: string, args: string[] = []): IIoK8sApiCoreV1PodSpec {
  return {
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: GRACE_S,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
    containers: [
      {
        name,
        image: imageOf(o, image),
        ...(args.length ? { args } : {}),
        envFrom: [{ secretRef: { name: o.secret } }],
        env: [
          { name: 'IMAGE_VERSION', value: o.tag },
          { name: 'JOB_HOST', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    // The root filesystem is read-only; node and the drivers get a scratch /tmp.
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
  };
}

const labels = (job: string, kind: string) => ({
  'app.kubernetes.io/part-of': 'wxyc-jobs',
  'app.kubernetes.io/name': job,
  'wxyc.org/job-type': kind,
});

/**
 * A cron job: one tick at a time (Forbid), in the station's time zone, killed after one period.
 * The period is the expression's own (schedulePeriodMs), so the manifest never depends on the day
 * it is generated (a DST day, the hour a `*\/45` is at).
 */
export function cronJobManifest(spec: JobSpec, o: ManifestOptions): CronJob {
  const periodS = Math.round(schedulePeriodMs(spec.schedule!) / 1000);
  return new CronJob({
    metadata: { name: spec.name, namespace: o.namespace, labels: labels(spec.name, 'cron') },
    spec: {
      schedule: spec.schedule!,
      timeZone: STATION_TIME_ZONE,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: Math.min(STARTING_DEADLINE_S, periodS),
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: labels(spec.name, 'cron') },
        spec: {
          // A tick that runs a whole period is stopped (SIGTERM, then exit 130 at a checkpoint) so the next can run.
          activeDeadlineSeconds: periodS,
          backoffLimit: 0,
          template: { metadata: { labels: labels(spec.name, 'cron') }, spec: podSpec(o, spec.name, spec.name) },
        },
      },
    },
  });
}

/** A one-shot job: created suspended, run by unsuspending it (docs/deploy.md). */
export function oneShotManifest(spec: JobSpec, o: ManifestOptions): Job {
  return new Job({
    metadata: { name: spec.name, namespace: o.namespace, labels: labels(spec.name, 'one-shot') },
    spec: {
      suspend: true,
      backoffLimit: 0,
      template: { metadata: { labels: labels(spec.name, 'one-shot') }, spec: podSpec(o, spec.name, spec.name) },
    },
  });
}

/**
 * The migrate Job's name: `migrate-<tag, DNS-1123>-<8 hex of sha256 of the exact tag>`, at most 63.
 * The readable part alone would make `v1.0`, `v1-0` and `V1_0` one name (and one Job: the second
 * deploy's apply would be refused as a change to an immutable Job, or pass for already done).
 * `latest` is refused: a moving tag names no deploy, and every deploy would reuse the same Job.
 */
export function migrateJobName(tag: string): string {
  if (tag.trim().toLowerCase() === 'latest') {
    throw new ConfigError(
      'the migrate Job needs the image tag of this deploy (--tag sha-<commit> or IMAGE_TAG), not "latest": a moving tag names no deploy and every deploy would reuse one Job.',
    );
  }
  const hash = createHash('sha256').update(tag).digest('hex').slice(0, 8);
  const readable = tag
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = 63 - 'migrate-'.length - 1 - hash.length;
  const part = readable.slice(0, room).replace(/-+$/, '');
  return `migrate-${part ? `${part}-` : ''}${hash}`;
}

/** The migrate step of this deploy: named by its tag, bounded like the host's `timeout 8m`. */
export function migrateManifest(o: ManifestOptions): Job {
  const name = migrateJobName(o.tag);
  return new Job({
    metadata: { name, namespace: o.namespace, labels: labels('migrate', 'migrate') },
    spec: {
      activeDeadlineSeconds: MIGRATE_DEADLINE_S,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 7 * 86_400,
      template: { metadata: { labels: labels('migrate', 'migrate') }, spec: podSpec(o, 'migrate', 'migrate') },
    },
  });
}

export interface Manifest {
  /** File name under --out: the migrate Job sorts first, as it must be applied (and waited for) first. */
  file: string;
  model: CronJob | Job;
}

/** Every manifest of a deploy, validated against the Kubernetes API schema (throws on the first invalid one). */
export function buildManifests(jobs: JobSpec[], o: ManifestOptions): Manifest[] {
  for (const j of jobs) {
    if (!DNS_LABEL.test(j.name) || j.name.length > 52)
      throw new ConfigError(
        `${j.dir}: the folder name ${JSON.stringify(j.name)} is not a valid Kubernetes CronJob/Job name (lowercase letters, digits, '-', at most 52).`,
      );
  }
  const out: Manifest[] = [{ file: '00-migrate.yaml', model: migrateManifest(o) }];
  for (const j of jobs)
    out.push({ file: `10-${j.name}.yaml`, model: j.type === 'cron' ? cronJobManifest(j, o) : oneShotManifest(j, o) });
  for (const m of out) m.model.validate();
  return out;
}

/** Validates a parsed manifest (e.g. read back from YAML) against the schema of its kind; throws naming the field. */
export function validateManifest(doc: Record<string, unknown>): void {
  if (doc.kind === 'CronJob') new CronJob(doc as never).validate();
  else if (doc.kind === 'Job') new Job(doc as never).validate();
  else throw new ConfigError(`manifest kind ${JSON.stringify(doc.kind)} is not one deploy:k8s writes (CronJob, Job)`);
}
