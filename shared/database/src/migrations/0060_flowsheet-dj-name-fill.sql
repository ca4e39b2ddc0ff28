-- Every write names its track row, whatever the writer (issue #27): during the online switch an
-- older writer (a backend release from before dj_name, a script) inserts track rows with dj_name
-- NULL on shows the DJ-name rule names, and the switch 0061's dj_name guard refused on every
-- deploy while such writes went on. From here on a BEFORE INSERT OR UPDATE trigger gives a track
-- row that leaves the writer's hands with dj_name NULL the name the rule gives (djNameOfRowSql of
-- shared/database/src/dj-name.ts, copied verbatim; a unit test keeps them equal): NULL stays NULL
-- only where the rule has no name, which is what the guard waits for. A name a writer sets is kept.
-- Rows written before this are the dj_name backfill's (it still runs before the switch).
-- Its name sorts before flowsheet_search_doc_fill: PostgreSQL fires the BEFORE triggers of an event
-- in name order, so search_doc is computed from the row with its name.
-- Catalog only: CREATE FUNCTION locks no table; CREATE TRIGGER takes SHARE ROW EXCLUSIVE on flowsheet
-- (writes wait while it is held; no scan, no rewrite). A short lock_timeout: behind a long
-- transaction it gives up after 500 ms (55P03, the runner rolls back and retries with backoff)
-- instead of queueing every write behind its lock request.
SET LOCAL lock_timeout = '500ms';--> statement-breakpoint
CREATE OR REPLACE FUNCTION "wxyc_schema"."flowsheet_dj_name_fill"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.dj_name := (SELECT COALESCE(CASE WHEN translate(lower(u.dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(u.dj_name, E' \t\n\r\f\013') END, CASE WHEN translate(lower(s.legacy_dj_name), E' \t\n\r\f\013', '') IN ('', 'anonymous') THEN NULL ELSE btrim(s.legacy_dj_name, E' \t\n\r\f\013') END) FROM wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id WHERE s.id = NEW.show_id);
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "flowsheet_dj_name_fill" BEFORE INSERT OR UPDATE ON "wxyc_schema"."flowsheet" FOR EACH ROW WHEN (NEW."entry_type" = 'track' AND NEW."dj_name" IS NULL) EXECUTE FUNCTION "wxyc_schema"."flowsheet_dj_name_fill"();
