#!/usr/bin/env node
// `pnpm deploy:k8s [--out DIR] ...`: Kubernetes manifests from each job's package.json
// (shared/k8s, docs/deploy.md "Kubernetes"). Builds @wxyc/k8s first when missing or stale.
import { buildIfStale } from './lib/build-state.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
buildIfStale(ROOT, ['@wxyc/k8s'], 'deploy-k8s');
const { runDeployK8s } = await import('@wxyc/k8s');
await runDeployK8s(process.argv.slice(2), ROOT);
