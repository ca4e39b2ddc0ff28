#!/usr/bin/env node
// `pnpm deploy:k8s [--out DIR] ...`: Kubernetes manifests from each job's package.json
// (shared/k8s, docs/deploy.md "Kubernetes"). Runs the built package: `pnpm build` first.
let runDeployK8s;
try {
  ({ runDeployK8s } = await import('@wxyc/k8s'));
} catch (e) {
  const err = /** @type {NodeJS.ErrnoException} */ (e);
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error(`[deploy-k8s] error: @wxyc/k8s is not built (${err.message}); run \`pnpm build\` first.`);
  process.exit(2);
}
await runDeployK8s(process.argv.slice(2), new URL('..', import.meta.url).pathname);
