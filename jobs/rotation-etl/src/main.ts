import { mirrorEtlMain } from '@wxyc/legacy-etl';
import { ROTATION_MIRROR } from './legacy-tables.js';
import { JOB, runTick, runVerify } from './tick.js';

/** An incremental tick from the legacy MySQL; `--verify [--repair]`: one whole verification pass. */
const etl = mirrorEtlMain({
  job: JOB,
  summary:
    'Legacy heavy-rotation list (MySQL) -> rotation: an incremental tick, each verifying a slice of the mirror; --verify [--repair] for a whole pass.',
  mirrors: [ROTATION_MIRROR],
  tick: runTick,
  verify: runVerify,
});

export const COMMAND = etl.command;
export const rotationEtl = etl.main;
