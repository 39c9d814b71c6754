-- newstrace schema 20: a narrow row per article with what a search's facets count of it (its id,
-- outlet, language, day and story, the speakers its quotes name and the flags its renderings carry), so
-- that the facets of a search's first 1,000 matches are one read of 1,000 short rows by rowid, counted in
-- Python, instead of a look-up of each match in the quotes and in the renderings (3.5 ms of a word
-- search's 15 at a million articles). Triggers keep each row as its article, quotes and renderings are
-- written; each recounts its article's speakers or flags from the table, so a replaced row (renderings
-- are written with INSERT OR REPLACE, which fires no delete trigger) leaves nothing stale.
--
-- `speakers`: the ids of the speakers its quotes name, each once, comma-separated ('' for none);
-- `flags`: bit 1 altered_direct_quote, 2 speaker_changed, 4 translated (store.base.CHECKED_FLAGS, in order).

CREATE TABLE article_facet_keys (
    article_rowid INTEGER PRIMARY KEY,
    id            TEXT NOT NULL,
    outlet        TEXT,
    language      TEXT,
    day           TEXT,
    story_id      TEXT,
    speakers      TEXT NOT NULL,
    flags         INTEGER NOT NULL
);

-- the backfill counts every article's speakers and flags at once; the triggers below recount one
-- article's rows from the tables themselves (an aggregate over all articles, asked for the article of the
-- row a trigger fires on, is not narrowed to it: recounting every article's quotes for each quote the
-- speakers stage updated held the write lock for tens of seconds on 19,000 quotes)
INSERT INTO article_facet_keys(article_rowid, id, outlet, language, day, story_id, speakers, flags)
    SELECT a.rowid, a.id, a.outlet, a.language, substr(a.published, 1, 10), a.story_id,
           COALESCE(s.speakers, ''), COALESCE(f.flags, 0)
    FROM articles a
    LEFT JOIN (SELECT article_id, group_concat(DISTINCT speaker_id) AS speakers
               FROM quotes WHERE speaker_id IS NOT NULL GROUP BY article_id) s ON s.article_id = a.id
    LEFT JOIN (SELECT r.article_id, sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                        WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END) AS flags
               FROM renderings r, json_each(r.flags) WHERE r.flags <> '[]'
               GROUP BY r.article_id) f ON f.article_id = a.id;

CREATE TRIGGER article_facet_keys_insert AFTER INSERT ON articles BEGIN
    INSERT OR REPLACE INTO article_facet_keys(article_rowid, id, outlet, language, day, story_id, speakers, flags)
    VALUES (NEW.rowid, NEW.id, NEW.outlet, NEW.language, substr(NEW.published, 1, 10), NEW.story_id,
            COALESCE((SELECT group_concat(DISTINCT speaker_id) FROM quotes
                      WHERE article_id = NEW.id AND speaker_id IS NOT NULL), ''),
            COALESCE((SELECT sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                   WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END)
                      FROM renderings r, json_each(r.flags) WHERE r.article_id = NEW.id AND r.flags <> '[]'), 0));
END;

CREATE TRIGGER article_facet_keys_delete AFTER DELETE ON articles BEGIN
    DELETE FROM article_facet_keys WHERE article_rowid = OLD.rowid;
END;

CREATE TRIGGER article_facet_keys_update AFTER UPDATE OF id, outlet, language, published, story_id ON articles BEGIN
    UPDATE article_facet_keys
    SET id = NEW.id, outlet = NEW.outlet, language = NEW.language, day = substr(NEW.published, 1, 10),
        story_id = NEW.story_id
    WHERE article_rowid = NEW.rowid;
END;

CREATE TRIGGER article_facet_keys_quote_insert AFTER INSERT ON quotes BEGIN
    UPDATE article_facet_keys SET speakers = COALESCE((SELECT group_concat(DISTINCT speaker_id) FROM quotes WHERE article_id = NEW.article_id AND speaker_id IS NOT NULL), '') WHERE id = NEW.article_id;
END;

CREATE TRIGGER article_facet_keys_quote_delete AFTER DELETE ON quotes BEGIN
    UPDATE article_facet_keys SET speakers = COALESCE((SELECT group_concat(DISTINCT speaker_id) FROM quotes WHERE article_id = OLD.article_id AND speaker_id IS NOT NULL), '') WHERE id = OLD.article_id;
END;

CREATE TRIGGER article_facet_keys_quote_update AFTER UPDATE OF article_id, speaker_id ON quotes BEGIN
    UPDATE article_facet_keys SET speakers = COALESCE((SELECT group_concat(DISTINCT speaker_id) FROM quotes WHERE article_id = NEW.article_id AND speaker_id IS NOT NULL), '') WHERE id = NEW.article_id;
    UPDATE article_facet_keys SET speakers = COALESCE((SELECT group_concat(DISTINCT speaker_id) FROM quotes WHERE article_id = OLD.article_id AND speaker_id IS NOT NULL), '')
    WHERE id = OLD.article_id AND OLD.article_id IS NOT NEW.article_id;
END;

CREATE TRIGGER article_facet_keys_rendering_insert AFTER INSERT ON renderings BEGIN
    UPDATE article_facet_keys SET flags = COALESCE((SELECT sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                   WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END)
                          FROM renderings r, json_each(r.flags) WHERE r.article_id = NEW.article_id AND r.flags <> '[]'), 0)
    WHERE id = NEW.article_id;
END;

CREATE TRIGGER article_facet_keys_rendering_delete AFTER DELETE ON renderings BEGIN
    UPDATE article_facet_keys SET flags = COALESCE((SELECT sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                   WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END)
                          FROM renderings r, json_each(r.flags) WHERE r.article_id = OLD.article_id AND r.flags <> '[]'), 0)
    WHERE id = OLD.article_id;
END;

CREATE TRIGGER article_facet_keys_rendering_update AFTER UPDATE OF article_id, flags ON renderings BEGIN
    UPDATE article_facet_keys SET flags = COALESCE((SELECT sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                   WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END)
                          FROM renderings r, json_each(r.flags) WHERE r.article_id = NEW.article_id AND r.flags <> '[]'), 0)
    WHERE id = NEW.article_id;
    UPDATE article_facet_keys SET flags = COALESCE((SELECT sum(DISTINCT CASE json_each.value WHEN 'altered_direct_quote' THEN 1
                                   WHEN 'speaker_changed' THEN 2 WHEN 'translated' THEN 4 ELSE 0 END)
                          FROM renderings r, json_each(r.flags) WHERE r.article_id = OLD.article_id AND r.flags <> '[]'), 0)
    WHERE id = OLD.article_id AND OLD.article_id IS NOT NEW.article_id;
END;

-- the triggers above find an article's row by its id
CREATE INDEX article_facet_keys_by_id ON article_facet_keys(id);
