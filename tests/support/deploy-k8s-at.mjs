// `pnpm deploy:k8s` on a jobs/ folder of the test's choosing: node deploy-k8s-at.mjs <root> [args].
// The same built package as scripts/deploy-k8s.mjs, which always reads this repository's jobs/.
import { runDeployK8s } from '@wxyc/k8s';

const [root, ...argv] = process.argv.slice(2);
if (!root) throw new Error('usage: deploy-k8s-at.mjs <root holding jobs/> [deploy:k8s args]');
await runDeployK8s(argv, root);
