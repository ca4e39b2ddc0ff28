import { ConfigError } from '@wxyc/job-runtime';

/**
 * `--verify` or `--verify --repair` (either order) -> the on-demand verification pass; null when
 * the arguments ask for something else. `--repair` alone, or with other arguments, is refused.
 */
export function verifyMode(args: string[]): { repair: boolean } | null {
  const flags = new Set(args.filter((a) => a === '--verify' || a === '--repair'));
  if (flags.size === 0) return null;
  if (!flags.has('--verify')) throw new ConfigError('--repair needs --verify (node dist/job.js --verify --repair).');
  const other = args.filter((a) => a !== '--verify' && a !== '--repair');
  if (other.length > 0 || args.length !== flags.size) throw new ConfigError(`--verify takes only --repair, got: ${args.join(' ')}.`);
  return { repair: flags.has('--repair') };
}
