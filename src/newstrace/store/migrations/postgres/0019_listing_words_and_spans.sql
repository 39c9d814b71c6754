-- newstrace PostgreSQL schema 19 (SQLite's 29): indexes for the index listings' name words and the
-- stories' dates. The store writes SQLite's `LIKE ? ESCAPE '\'` as ILIKE here, which a trigram index
-- (the pg_trgm module, PostgreSQL's contrib, trusted: a database owner may install it) answers for
-- a word of three characters or more: a stories, speakers or utterances listing under a name word read
-- every title, name or text. Without the module (a server built without contrib) the listings keep
-- their plain reads: the migration says so and goes on.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'newstrace: pg_trgm is not available (%), the listings'' name words stay unindexed', SQLERRM;
END $$;
-- The module may have been installed in another schema (by another database of newstrace's in this
-- one, or by an administrator): its operator class is named with that schema.
DO $$
DECLARE
    module_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
BEGIN
    IF module_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX stories_title_trigrams ON stories USING gin (title %s.gin_trgm_ops)', module_schema);
        EXECUTE format(
            'CREATE INDEX speakers_name_trigrams ON speakers USING gin (name %1$s.gin_trgm_ops, aliases %1$s.gin_trgm_ops)',
            module_schema
        );
        EXECUTE format(
            'CREATE INDEX utterances_text_trigrams ON utterances USING gin (canonical_text %s.gin_trgm_ops)', module_schema
        );
    END IF;
END $$;
-- A date range keeps the stories whose span meets it (`last_seen >= from AND first_seen <= to`): from
-- the stories last seen since `from`, their first day read from the index (SQLite has an R*Tree).
CREATE INDEX stories_by_span ON stories (last_seen, first_seen);
