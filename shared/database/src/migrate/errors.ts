import { JobError } from '@wxyc/job-runtime';

/** A refusal or failure of the runner; the message is the whole story, the code documented. */
export class MigrateError extends JobError {
  override name = 'MigrateError';
}
