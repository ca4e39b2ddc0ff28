-- Tiny PostgreSQL dev seed, run by dev_env/init-db.mjs after the migrations unless
-- SKIP_SEED=true (the production migrate image sets it). Idempotent: fixed natural keys and
-- ON CONFLICT DO NOTHING, so a second run changes nothing. Legacy (MySQL) seed data is
-- separate (the flowsheet ETL's dev setup).
INSERT INTO auth_user (id, name, email, email_verified, username, real_name, dj_name)
VALUES ('dev-dj-1', 'Dev DJ', 'dev-dj@example.invalid', true, 'devdj', 'Dev DJ', 'DJ Dev')
ON CONFLICT (id) DO NOTHING;

INSERT INTO wxyc_schema.genres (genre_name, legacy_genre_id)
VALUES ('Rock', 1), ('Jazz', 2)
ON CONFLICT (legacy_genre_id) DO NOTHING;
