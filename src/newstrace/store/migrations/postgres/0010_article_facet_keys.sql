-- newstrace PostgreSQL schema 10 (SQLite's 20): a narrow row per article with what a search's facets
-- count of it (its id, outlet, language, day and story, the speakers its quotes name and the flags its
-- renderings carry), so that the speaker and flag facets of a search's first 1,000 matches are one read
-- of 1,000 short rows, counted in Python, instead of a look-up of each match in the quotes and in the
-- renderings. Triggers keep each row as its article, quotes and renderings are written; each recounts
-- its article's speakers or flags from the tables.
--
-- `rowid`: the article's; `speakers`: the ids of the speakers its quotes name, each once, comma-separated
-- ('' for none); `flags`: bit 1 altered_direct_quote, 2 speaker_changed, 4 translated
-- (store.base.CHECKED_FLAGS, in order).

CREATE TABLE article_facet_keys (
    rowid    bigint PRIMARY KEY,
    id       text COLLATE "C" NOT NULL,
    outlet   text COLLATE "C",
    language text COLLATE "C",
    day      text COLLATE "C",
    story_id text COLLATE "C",
    speakers text COLLATE "C" NOT NULL,
    flags    integer NOT NULL
);

CREATE FUNCTION newstrace_speaker_keys(article text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT COALESCE(string_agg(DISTINCT speaker_id::text, ','), '')
    FROM quotes WHERE article_id = article AND speaker_id IS NOT NULL
$$;

CREATE FUNCTION newstrace_flag_keys(article text) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT COALESCE(bit_or(CASE flag WHEN 'altered_direct_quote' THEN 1 WHEN 'speaker_changed' THEN 2
                                     WHEN 'translated' THEN 4 ELSE 0 END), 0)
    FROM renderings r, json_array_elements_text(r.flags::json) AS flag
    WHERE r.article_id = article AND r.flags <> '[]'
$$;

INSERT INTO article_facet_keys(rowid, id, outlet, language, day, story_id, speakers, flags)
    SELECT rowid, id, outlet, language, substr(published, 1, 10), story_id, newstrace_speaker_keys(id),
           newstrace_flag_keys(id)
    FROM articles;

-- the quotes' and renderings' triggers find an article's row by its id
CREATE INDEX article_facet_keys_by_id ON article_facet_keys(id);

CREATE FUNCTION newstrace_key_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM article_facet_keys WHERE rowid = OLD.rowid;
    ELSE
        INSERT INTO article_facet_keys(rowid, id, outlet, language, day, story_id, speakers, flags)
        VALUES (NEW.rowid, NEW.id, NEW.outlet, NEW.language, substr(NEW.published, 1, 10), NEW.story_id,
                newstrace_speaker_keys(NEW.id), newstrace_flag_keys(NEW.id))
        ON CONFLICT (rowid) DO UPDATE SET id = EXCLUDED.id, outlet = EXCLUDED.outlet,
            language = EXCLUDED.language, day = EXCLUDED.day, story_id = EXCLUDED.story_id,
            speakers = EXCLUDED.speakers, flags = EXCLUDED.flags;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_facet_keys_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_article();
CREATE TRIGGER article_facet_keys_update AFTER UPDATE OF id, outlet, language, published, story_id ON articles
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_article();

-- a quote's or a rendering's article: its speakers or its flags recounted
CREATE FUNCTION newstrace_rekey(article text, source text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF source = 'quotes' THEN
        UPDATE article_facet_keys SET speakers = newstrace_speaker_keys(article) WHERE id = article;
    ELSE
        UPDATE article_facet_keys SET flags = newstrace_flag_keys(article) WHERE id = article;
    END IF;
END;
$$;

CREATE FUNCTION newstrace_key_stage_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM newstrace_rekey(OLD.article_id, TG_TABLE_NAME);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM newstrace_rekey(NEW.article_id, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_facet_keys_quote_insert_delete AFTER INSERT OR DELETE ON quotes
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_stage_row();
CREATE TRIGGER article_facet_keys_quote_update AFTER UPDATE OF article_id, speaker_id ON quotes
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_stage_row();
CREATE TRIGGER article_facet_keys_rendering_insert_delete AFTER INSERT OR DELETE ON renderings
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_stage_row();
CREATE TRIGGER article_facet_keys_rendering_update AFTER UPDATE OF article_id, flags ON renderings
    FOR EACH ROW EXECUTE FUNCTION newstrace_key_stage_row();
