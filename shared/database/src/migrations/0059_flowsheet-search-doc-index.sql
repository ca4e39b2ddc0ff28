-- migrate:no-transaction
-- Index step of the online search_doc rebuild: builds the GIN index of search_doc_new without
-- blocking writes (CONCURRENTLY takes SHARE UPDATE EXCLUSIVE). It does not wait for the
-- backfill: the index is maintained as the backfill fills rows. 0060 renames it into place.
-- A killed build leaves an INVALID index: the runner drops it and builds it again on the next run.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "flowsheet_search_doc_new_idx" ON "wxyc_schema"."flowsheet" USING gin ("search_doc_new");
