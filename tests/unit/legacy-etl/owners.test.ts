import { describe, expect, it } from 'vitest';
import { checkOwners, driftColumns, mirrorTable, ownedBy } from '@wxyc/legacy-etl';
import { FLOWSHEET_MIRROR, SHOWS_MIRROR } from '../../../jobs/flowsheet-etl/src/legacy-tables.js';
import { ARTISTS_MIRROR, LIBRARY_MIRROR } from '../../../jobs/library-etl/src/legacy-tables.js';
import { ROTATION_MIRROR } from '../../../jobs/rotation-etl/src/legacy-tables.js';

const base = mirrorTable({
  table: 'wxyc_schema.t',
  key: 'legacy_id',
  written: ['legacy_id', 'a', 'b', 'source_hash'],
  owners: { legacy_id: 'source', a: 'source', b: 'source-else-local', source_hash: 'source' },
});

describe('column owners', () => {
  it("every job's declaration passes the startup check", () => {
    expect(() =>
      checkOwners('x', [SHOWS_MIRROR, FLOWSHEET_MIRROR, ARTISTS_MIRROR, LIBRARY_MIRROR, ROTATION_MIRROR]),
    ).not.toThrow();
  });

  it('rotation: discogs_release_id, kill_date and album_id are source-else-local', () => {
    expect(ownedBy(ROTATION_MIRROR, 'source-else-local')).toEqual(['discogs_release_id', 'kill_date', 'album_id']);
    expect(driftColumns(ROTATION_MIRROR)).toEqual([
      'rotation_bin',
      'artist_name',
      'album_title',
      'record_label',
      'add_date',
      'last_modified',
    ]);
  });

  it('refuses a written column without an owner, an unknown owner, a key or hash not owned by source, a missing key', () => {
    expect(() => checkOwners('j', [base])).not.toThrow();
    expect(() => checkOwners('j', [{ ...base, written: [...base.written, 'c'] }])).toThrow(
      "j: wxyc_schema.t writes column c with no owner; declare it source, source-else-local or local in the job's legacy-tables.ts. Refusing to start.",
    );
    expect(() => checkOwners('j', [{ ...base, owners: { ...base.owners, a: 'mine' as never } }])).toThrow(
      'has owner "mine"',
    );
    expect(() => checkOwners('j', [{ ...base, owners: { ...base.owners, source_hash: 'local' } }])).toThrow(
      'must be owned by source, not local',
    );
    expect(() => checkOwners('j', [{ ...base, written: ['a', 'b', 'source_hash'] }])).toThrow(
      'must write its key legacy_id and source_hash',
    );
  });
});
