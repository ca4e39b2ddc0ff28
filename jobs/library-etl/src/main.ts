import { mirrorEtlMain } from '@wxyc/legacy-etl';
import { ARTISTS_MIRROR, LIBRARY_MIRROR } from './legacy-tables.js';
import { JOB, runTick, runVerify } from './tick.js';

/** An incremental tick from the legacy MySQL; `--verify [--repair]`: one whole verification pass. */
const etl = mirrorEtlMain({
  job: JOB,
  summary:
    'Legacy card catalogue (MySQL) -> genres, formats, artists, library: an incremental tick, each verifying a slice of the mirror; --verify [--repair] for a whole pass.',
  mirrors: [ARTISTS_MIRROR, LIBRARY_MIRROR],
  tick: runTick,
  verify: runVerify,
});

export const COMMAND = etl.command;
export const libraryEtl = etl.main;
