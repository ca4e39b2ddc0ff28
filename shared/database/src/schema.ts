// Drizzle schema of the station database. The migrations in ./migrations are the
// source of truth for what production has; tests/integration/schema-matches-migrations
// proves this file and a database migrated from scratch agree.
import { sql, type SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

export const wxycSchema = pgSchema('wxyc_schema');

const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector',
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

// ---------------------------------------------------------------- public (auth)

export const user = pgTable('auth_user', {
  id: varchar('id', { length: 255 }).primaryKey(),
  name: varchar('name', { length: 255 }).notNull(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  role: varchar('role', { length: 255 }),
  banned: boolean('banned'),
  banReason: text('ban_reason'),
  banExpires: timestamptz('ban_expires'),
  username: varchar('username', { length: 255 }).unique(),
  displayUsername: varchar('display_username', { length: 255 }),
  realName: varchar('real_name', { length: 255 }),
  djName: varchar('dj_name', { length: 255 }),
  appSkin: varchar('app_skin', { length: 255 }).notNull().default('modern-light'),
  hasCompletedOnboarding: boolean('has_completed_onboarding').notNull().default(false),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const session = pgTable(
  'auth_session',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    userId: varchar('user_id', { length: 255 })
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    token: varchar('token', { length: 255 }).notNull().unique(),
    expiresAt: timestamptz('expires_at').notNull(),
    ipAddress: varchar('ip_address', { length: 255 }),
    userAgent: text('user_agent'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('auth_session_user_id_idx').on(t.userId)],
);

// ---------------------------------------------------------------- wxyc_schema

export const freqEnum = wxycSchema.enum('freq_enum', ['S', 'L', 'M', 'H']);

export const flowsheetEntryType = wxycSchema.enum('flowsheet_entry_type', [
  'track',
  'show_start',
  'show_end',
  'dj_join',
  'dj_leave',
  'talkset',
  'breakpoint',
  'message',
]);

export const genres = wxycSchema.table('genres', {
  id: serial('id').primaryKey(),
  genreName: varchar('genre_name', { length: 64 }).notNull(),
  description: text('description'),
  plays: integer('plays').notNull().default(0),
  legacyGenreId: integer('legacy_genre_id').unique(),
  addDate: date('add_date').notNull().defaultNow(),
  lastModified: timestamptz('last_modified').notNull().defaultNow(),
});

export const formats = wxycSchema.table('formats', {
  id: serial('id').primaryKey(),
  formatName: varchar('format_name', { length: 64 }).notNull(),
  legacyFormatId: integer('legacy_format_id').unique(),
  dateAdded: date('date_added').notNull().defaultNow(),
});

export const artists = wxycSchema.table(
  'artists',
  {
    id: serial('id').primaryKey(),
    artistName: varchar('artist_name', { length: 128 }).notNull(),
    alphabeticalName: varchar('alphabetical_name', { length: 128 }),
    codeLetters: varchar('code_letters', { length: 4 }).notNull(),
    codeArtistNumber: smallint('code_artist_number').notNull(),
    genreId: integer('genre_id').references(() => genres.id, { onDelete: 'set null' }),
    legacyArtistId: integer('legacy_artist_id').unique(),
    /** Hash of the legacy source row as last imported (@wxyc/legacy-etl sourceHash): what verification compares. */
    sourceHash: bigint('source_hash', { mode: 'number' }),
    discogsArtistId: integer('discogs_artist_id'),
    musicbrainzArtistId: varchar('musicbrainz_artist_id', { length: 36 }),
    wikidataQid: varchar('wikidata_qid', { length: 32 }),
    spotifyArtistId: varchar('spotify_artist_id', { length: 64 }),
    appleMusicArtistId: varchar('apple_music_artist_id', { length: 64 }),
    bandcampId: varchar('bandcamp_id', { length: 128 }),
    addDate: date('add_date').notNull().defaultNow(),
    lastModified: timestamptz('last_modified').notNull().defaultNow(),
  },
  (t) => [index('artists_genre_id_idx').on(t.genreId)],
);

export const library = wxycSchema.table(
  'library',
  {
    id: serial('id').primaryKey(),
    artistId: integer('artist_id').references(() => artists.id, { onDelete: 'set null' }),
    genreId: integer('genre_id').references(() => genres.id, { onDelete: 'set null' }),
    formatId: integer('format_id').references(() => formats.id, { onDelete: 'set null' }),
    albumTitle: varchar('album_title', { length: 128 }).notNull(),
    codeNumber: smallint('code_number').notNull(),
    alternateArtistName: varchar('alternate_artist_name', { length: 128 }),
    label: varchar('label', { length: 128 }),
    plays: integer('plays').notNull().default(0),
    legacyReleaseId: integer('legacy_release_id').unique(),
    sourceHash: bigint('source_hash', { mode: 'number' }),
    missing: boolean('missing').notNull().default(false),
    dateLost: timestamptz('date_lost'),
    dateFound: timestamptz('date_found'),
    addDate: timestamptz('add_date').notNull().defaultNow(),
    lastModified: timestamptz('last_modified').notNull().defaultNow(),
  },
  (t) => [index('library_artist_id_idx').on(t.artistId)],
);

export const rotation = wxycSchema.table(
  'rotation',
  {
    id: serial('id').primaryKey(),
    albumId: integer('album_id').references(() => library.id, { onDelete: 'set null' }),
    rotationBin: freqEnum('rotation_bin').notNull(),
    artistName: varchar('artist_name', { length: 128 }),
    albumTitle: varchar('album_title', { length: 128 }),
    recordLabel: varchar('record_label', { length: 128 }),
    discogsReleaseId: integer('discogs_release_id'),
    // Where discogs_release_id came from: 'legacy' (mirrored; every row that predates 0064 reads
    // it through the column DEFAULT, no UPDATE), 'lml_direct' (rotation-release-id-resolver).
    // Local columns: rotation-etl never writes them.
    discogsReleaseIdSource: text('discogs_release_id_source').default('legacy'),
    // When the resolver last got a definitive answer (resolved, sentinel, trust-rejected, no match); NULL: never.
    discogsReleaseIdAttemptedAt: timestamptz('discogs_release_id_attempted_at'),
    legacyRotationId: integer('legacy_rotation_id').unique(),
    sourceHash: bigint('source_hash', { mode: 'number' }),
    addDate: date('add_date').notNull().defaultNow(),
    killDate: date('kill_date'),
    lastModified: timestamptz('last_modified').notNull().defaultNow(),
  },
  (t) => [index('rotation_album_id_idx').on(t.albumId)],
);

export const specialtyShows = wxycSchema.table('specialty_shows', {
  id: serial('id').primaryKey(),
  specialtyName: varchar('specialty_name', { length: 128 }).notNull(),
  description: text('description'),
  legacySpecialtyId: integer('legacy_specialty_id').unique(),
  addDate: date('add_date').notNull().defaultNow(),
});

export const shows = wxycSchema.table(
  'shows',
  {
    id: serial('id').primaryKey(),
    primaryDjId: varchar('primary_dj_id', { length: 255 }).references(() => user.id, {
      onDelete: 'set null',
    }),
    specialtyId: integer('specialty_id').references(() => specialtyShows.id, {
      onDelete: 'set null',
    }),
    showName: varchar('show_name', { length: 128 }),
    startTime: timestamptz('start_time').notNull(),
    endTime: timestamptz('end_time'),
    legacyShowId: integer('legacy_show_id').unique(),
    legacyDjId: integer('legacy_dj_id'),
    sourceHash: bigint('source_hash', { mode: 'number' }),
    legacyDjName: varchar('legacy_dj_name', { length: 128 }),
  },
  (t) => [index('shows_primary_dj_id_idx').on(t.primaryDjId)],
);

export const showDjs = wxycSchema.table(
  'show_djs',
  {
    showId: integer('show_id')
      .notNull()
      .references(() => shows.id, { onDelete: 'cascade' }),
    djId: varchar('dj_id', { length: 255 })
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('show_djs_show_id_dj_id_key').on(t.showId, t.djId)],
);

export const flowsheet = wxycSchema.table(
  'flowsheet',
  {
    id: serial('id').primaryKey(),
    showId: integer('show_id').references(() => shows.id, { onDelete: 'set null' }),
    albumId: integer('album_id').references(() => library.id, { onDelete: 'set null' }),
    rotationId: integer('rotation_id').references(() => rotation.id, { onDelete: 'set null' }),
    entryType: flowsheetEntryType('entry_type').notNull().default('track'),
    artistName: varchar('artist_name', { length: 128 }),
    albumTitle: varchar('album_title', { length: 128 }),
    trackTitle: varchar('track_title', { length: 128 }),
    recordLabel: varchar('record_label', { length: 128 }),
    playOrder: integer('play_order').notNull(),
    requestFlag: boolean('request_flag').notNull().default(false),
    segue: boolean('segue').notNull().default(false),
    message: varchar('message', { length: 250 }),
    addTime: timestamptz('add_time').notNull().defaultNow(),
    legacyEntryId: integer('legacy_entry_id').unique(),
    sourceHash: bigint('source_hash', { mode: 'number' }),
    /** LIBRARY_RELEASE_ID / ROTATION_RELEASE_ID as imported, so a link whose row arrives later can be made. */
    legacyReleaseId: integer('legacy_release_id'),
    legacyRotationId: integer('legacy_rotation_id'),
    djName: text('dj_name'),
    // Owned by the trigger flowsheet_search_doc_fill (migrations 0054/0061, src/search-doc.ts): it is
    // computed on every INSERT and UPDATE and a value a writer sets is overwritten. Never set it.
    searchDoc: tsvector('search_doc'),
  },
  (t) => [
    index('flowsheet_show_id_idx').on(t.showId),
    index('flowsheet_album_id_idx').on(t.albumId),
    index('flowsheet_rotation_id_idx').on(t.rotationId),
    index('flowsheet_add_time_idx').on(t.addTime),
    index('flowsheet_search_doc_idx').using('gin', t.searchDoc),
  ],
);

export const bins = wxycSchema.table(
  'bins',
  {
    id: serial('id').primaryKey(),
    djId: varchar('dj_id', { length: 255 })
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    albumId: integer('album_id')
      .notNull()
      .references(() => library.id, { onDelete: 'cascade' }),
    trackTitle: varchar('track_title', { length: 128 }),
  },
  (t) => [index('bins_dj_id_idx').on(t.djId)],
);

// Per-job bookkeeping of the cron ETLs; `cursor` is job-defined JSON (where the job got to, see @wxyc/legacy-etl).
export const cronjobRuns = wxycSchema.table('cronjob_runs', {
  jobName: varchar('job_name', { length: 64 }).primaryKey(),
  lastRun: timestamptz('last_run').notNull(),
  cursor: jsonb('cursor'),
});

// One row per run of every job (cron tick, one-shot, migrate), written by the job itself
// (src/run-history). finished_at NULL with its backend gone = started, never finished (SIGKILL).
// started_at/heartbeat_at/finished_at are the database server's clock; host_started_at is the
// host's own reading of the same instant (0062), so a host with a wrong clock shows.
export const jobRuns = wxycSchema.table(
  'job_runs',
  {
    id: serial('id').primaryKey(),
    jobName: varchar('job_name', { length: 64 }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull(),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    heartbeatAt: timestamptz('heartbeat_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    outcome: varchar('outcome', { length: 16 }),
    exitCode: integer('exit_code'),
    error: text('error'),
    host: varchar('host', { length: 255 }).notNull(),
    imageVersion: varchar('image_version', { length: 128 }),
    backendPid: integer('backend_pid'),
    backendStart: timestamptz('backend_start'),
    rowsRead: bigint('rows_read', { mode: 'number' }),
    rowsWritten: bigint('rows_written', { mode: 'number' }),
    rowsSkipped: bigint('rows_skipped', { mode: 'number' }),
    hostStartedAt: timestamptz('host_started_at'),
  },
  (t) => [index('job_runs_job_name_started_at_idx').on(t.jobName, t.startedAt)],
);

// Legacy ids a local job retired (merged a duplicate: deleted or repointed its mirrored row):
// the legacy ETLs' import and verification skip them for good (@wxyc/legacy-etl retireLegacyIds).
// source_hash: the legacy row's hash as last known, so verification's sums agree without the row.
export const legacyRetiredIds = wxycSchema.table(
  'legacy_retired_ids',
  {
    mirrorTable: varchar('mirror_table', { length: 64 }).notNull(),
    legacyId: integer('legacy_id').notNull(),
    reason: text('reason').notNull(),
    job: varchar('job', { length: 64 }).notNull(),
    retiredAt: timestamptz('retired_at').notNull().defaultNow(),
    sourceHash: bigint('source_hash', { mode: 'number' }),
    /** The legacy id of the row that absorbed this one in a merge (NULL: only deleted). */
    successorId: integer('successor_id'),
  },
  (t) => [primaryKey({ columns: [t.mirrorTable, t.legacyId] })],
);
