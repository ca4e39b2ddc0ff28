import { ConfigError } from '@wxyc/job-runtime';

/** A whole range of legacy ids the operator confirmed as deleted in MySQL (`--confirm-deleted TABLE:FROM-TO`). */
export interface DeletedRange {
  /** The legacy table, e.g. FLOWSHEET_ENTRY_PROD. */
  table: string;
  from: number;
  to: number;
}

export interface VerifyMode {
  repair: boolean;
  /** Ranges whose rows may be deleted although MySQL answers no rows for them (never automatic). */
  confirmDeleted: DeletedRange[];
}

const RANGE = /^([A-Z][A-Z0-9_]*):(\d{1,10})-(\d{1,10})$/;

/** `TABLE:FROM-TO` -> a DeletedRange; a ConfigError saying what is wrong otherwise. */
export function parseDeletedRange(text: string): DeletedRange {
  const m = RANGE.exec(text);
  const from = Number(m?.[2]);
  const to = Number(m?.[3]);
  if (!m || from < 1 || to > 2_147_483_647 || from > to) {
    throw new ConfigError(`--confirm-deleted ${JSON.stringify(text)} is invalid: expected LEGACY_TABLE:FROM-TO with 1 <= FROM <= TO <= 2147483647, e.g. FLOWSHEET_ENTRY_PROD:1-4200.`);
  }
  return { table: m[1]!, from, to };
}

/**
 * `--verify`, `--verify --repair` (either order), and with --repair any number of
 * `--confirm-deleted TABLE:FROM-TO` -> the on-demand verification pass; null when the arguments
 * ask for something else. `--repair` or `--confirm-deleted` without what they need is refused.
 */
export function verifyMode(args: string[]): VerifyMode | null {
  const mode: VerifyMode = { repair: false, confirmDeleted: [] };
  let verify = false;
  let repeated = false;
  const other: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--verify') [repeated, verify] = [repeated || verify, true];
    else if (a === '--repair') [repeated, mode.repair] = [repeated || mode.repair, true];
    else if (a === '--confirm-deleted') mode.confirmDeleted.push(parseDeletedRange(args[++i] ?? ''));
    else if (a.startsWith('--confirm-deleted=')) mode.confirmDeleted.push(parseDeletedRange(a.slice('--confirm-deleted='.length)));
    else other.push(a);
  }
  if (!verify && !mode.repair && mode.confirmDeleted.length === 0) return null;
  if (!verify && mode.repair) throw new ConfigError('--repair needs --verify (node dist/job.js --verify --repair).');
  if (!verify) throw new ConfigError('--confirm-deleted needs --verify --repair (node dist/job.js --verify --repair --confirm-deleted TABLE:FROM-TO).');
  if (other.length > 0 || repeated) throw new ConfigError(`--verify takes only --repair and --confirm-deleted TABLE:FROM-TO, got: ${args.join(' ')}.`);
  if (mode.confirmDeleted.length > 0 && !mode.repair) throw new ConfigError('--confirm-deleted deletes rows: it needs --verify --repair.');
  return mode;
}
