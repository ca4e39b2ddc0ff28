export {
  buildManifests,
  validateManifest,
  cronJobManifest,
  oneShotManifest,
  migrateManifest,
  migrateJobName,
  imageOf,
  MIGRATE_DEADLINE_S,
  STARTING_DEADLINE_S,
  GRACE_S,
  type Manifest,
  type ManifestOptions,
} from './manifests.js';
export { runDeployK8s, parseK8sArgs, DEPLOY_K8S_COMMAND, type K8sArgs } from './cli.js';
