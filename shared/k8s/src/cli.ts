import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, parseCommandLine, readArgs, runJob, type CommandSpec } from '@wxyc/job-runtime';
import { readJobSpecs } from '@wxyc/ops';
import { buildManifests, type ManifestOptions } from './manifests.js';

type Env = Record<string, string | undefined>;

export const DEPLOY_K8S_COMMAND = {
  command: 'pnpm deploy:k8s',
  summary:
    "Kubernetes manifests (CronJobs, suspended one-shot Jobs, the migrate Job) from each job's package.json: one YAML stream on stdout, or one file per manifest with --out.",
  options: {
    out: { type: 'string', value: 'DIR', description: 'write one file per manifest into DIR' },
    tag: {
      type: 'string',
      value: 'TAG',
      description:
        'image tag of this deploy, e.g. sha-<commit> (env IMAGE_TAG); needed: "latest" is refused for the migrate Job',
    },
    registry: {
      type: 'string',
      value: 'HOST',
      description: 'image registry, host[:port][/path] (env IMAGE_REGISTRY; without one, images resolve to Docker Hub)',
    },
    namespace: { type: 'string', value: 'NS', description: 'namespace (env K8S_NAMESPACE; default wxyc-jobs)' },
    secret: {
      type: 'string',
      value: 'NAME',
      description: "the Secret holding DATABASE_URL and the jobs' env (env K8S_SECRET; default wxyc-jobs-env)",
    },
  },
  env: {
    IMAGE_TAG: 'as --tag',
    IMAGE_REGISTRY: 'as --registry',
    K8S_NAMESPACE: 'as --namespace',
    K8S_SECRET: 'as --secret',
  },
  notes: 'exit codes: 0 ok, 2 bad arguments. docs/deploy.md, "Kubernetes".',
} as const satisfies CommandSpec;

export interface K8sArgs extends ManifestOptions {
  out: string | null;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Flags win over env (IMAGE_TAG, IMAGE_REGISTRY, K8S_NAMESPACE, K8S_SECRET); each value is checked. */
export function parseK8sArgs(argv: string[], env: Env = process.env): K8sArgs {
  const { values: v } = parseCommandLine(DEPLOY_K8S_COMMAND, argv);
  const args: K8sArgs = {
    out: v.out ?? null,
    tag: v.tag ?? (env.IMAGE_TAG?.trim() || 'latest'),
    registry: v.registry ?? (env.IMAGE_REGISTRY?.trim() || null),
    namespace: v.namespace ?? (env.K8S_NAMESPACE?.trim() || 'wxyc-jobs'),
    secret: v.secret ?? (env.K8S_SECRET?.trim() || 'wxyc-jobs-env'),
  };
  if (!TAG.test(args.tag))
    throw new ConfigError(
      `image tag ${JSON.stringify(args.tag)} is invalid: letters, digits, '_', '.', '-' (at most 128).`,
    );
  if (args.registry !== null && !/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(args.registry))
    throw new ConfigError(`registry ${JSON.stringify(args.registry)} is invalid: expected host[:port][/path].`);
  for (const k of ['namespace', 'secret'] as const) {
    if (!NAME.test(args[k]) || args[k].length > 63)
      throw new ConfigError(
        `${k} ${JSON.stringify(args[k])} is invalid: lowercase letters, digits and '-' (at most 63).`,
      );
  }
  return args;
}

/** `pnpm deploy:k8s`: one multi-document YAML on stdout, or one file per manifest in --out. */
export async function runDeployK8s(argv: string[], root: string, env: Env = process.env): Promise<void> {
  readArgs(DEPLOY_K8S_COMMAND, argv, 'deploy-k8s'); // --help, or bad arguments: one line, exit 2
  await runJob('deploy-k8s', async (log) => {
    const args = parseK8sArgs(argv, env);
    if (args.registry === null) {
      log.warn(
        `no --registry (or IMAGE_REGISTRY): the images are named wxyc-jobs/<job>:${args.tag}, which a cluster without a default registry pulls from Docker Hub.`,
      );
    }
    const manifests = buildManifests(readJobSpecs(root), args);
    const docs = manifests.map((m) => ({ file: m.file, yaml: stringify(m.model.toJSON()) }));
    if (!args.out) {
      process.stdout.write(docs.map((d) => `# ${d.file}\n${d.yaml}`).join('---\n'));
      return;
    }
    mkdirSync(args.out, { recursive: true });
    for (const d of docs) writeFileSync(join(args.out, d.file), d.yaml);
    log.info(`wrote ${docs.length} manifests to ${args.out}: ${docs.map((d) => d.file).join(', ')}`);
  });
}
