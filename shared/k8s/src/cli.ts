import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, runJob } from '@wxyc/job-runtime';
import { readJobSpecs } from '@wxyc/ops';
import { buildManifests, type ManifestOptions } from './manifests.js';

type Env = Record<string, string | undefined>;

export const DEPLOY_K8S_USAGE = 'usage: pnpm deploy:k8s [--out DIR] [--tag TAG] [--registry HOST] [--namespace NS] [--secret NAME]';

export interface K8sArgs extends ManifestOptions {
  out: string | null;
}

const FLAGS = { '--out': 'out', '--tag': 'tag', '--registry': 'registry', '--namespace': 'namespace', '--secret': 'secret' } as const;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Flags win over env (IMAGE_TAG, IMAGE_REGISTRY, K8S_NAMESPACE, K8S_SECRET); each value is checked. */
export function parseK8sArgs(argv: string[], env: Env = process.env): K8sArgs {
  const v: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const key = FLAGS[argv[i] as keyof typeof FLAGS];
    const value = argv[i + 1];
    if (!key) throw new ConfigError(`unknown argument ${JSON.stringify(argv[i])}; ${DEPLOY_K8S_USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new ConfigError(`${argv[i]} needs a value; ${DEPLOY_K8S_USAGE}`);
    v[key] = value;
    i++;
  }
  const args: K8sArgs = {
    out: v.out ?? null,
    tag: v.tag ?? (env.IMAGE_TAG?.trim() || 'latest'),
    registry: v.registry ?? (env.IMAGE_REGISTRY?.trim() || null),
    namespace: v.namespace ?? (env.K8S_NAMESPACE?.trim() || 'wxyc-jobs'),
    secret: v.secret ?? (env.K8S_SECRET?.trim() || 'wxyc-jobs-env'),
  };
  if (!TAG.test(args.tag)) throw new ConfigError(`image tag ${JSON.stringify(args.tag)} is invalid: letters, digits, '_', '.', '-' (at most 128).`);
  if (args.registry !== null && !/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(args.registry)) throw new ConfigError(`registry ${JSON.stringify(args.registry)} is invalid: expected host[:port][/path].`);
  for (const k of ['namespace', 'secret'] as const) {
    if (!NAME.test(args[k]) || args[k].length > 63) throw new ConfigError(`${k} ${JSON.stringify(args[k])} is invalid: lowercase letters, digits and '-' (at most 63).`);
  }
  return args;
}

/** `pnpm deploy:k8s`: one multi-document YAML on stdout, or one file per manifest in --out. */
export async function runDeployK8s(argv: string[], root: string, env: Env = process.env): Promise<void> {
  await runJob('deploy-k8s', async (log) => {
    const args = parseK8sArgs(argv, env);
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
