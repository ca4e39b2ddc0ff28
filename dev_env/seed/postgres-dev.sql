-- Tiny PostgreSQL dev seed, run by `dev_env/init-db.mjs --seed` (pnpm dev) after the migrations;
-- the runner never writes it without --seed, so the production image cannot. Idempotent: fixed natural keys and
-- ON CONFLICT DO NOTHING, so a second run changes nothing. Legacy (MySQL) seed data is
-- separate (the flowsheet ETL's dev setup).
INSERT INTO auth_user (id, name, email, email_verified, username, real_name, dj_name)
VALUES ('dev-dj-1', 'Dev DJ', 'dev-dj@example.invalid', true, 'devdj', 'Dev DJ', 'DJ Dev')
ON CONFLICT (id) DO NOTHING;

INSERT INTO wxyc_schema.genres (genre_name, legacy_genre_id)
VALUES ('Rock', 1), ('Jazz', 2)
ON CONFLICT (legacy_genre_id) DO NOTHING;
