-- newstrace schema 29: indexes for the index listings' name words and the stories' dates.
--
-- A name word on the stories, speakers and utterances listings is `LIKE '%word%'` over every title,
-- name or canonical text: at a million articles a rare word read all 338,000 stories (0.1-0.8 s) or all
-- 453,000 utterances (past the 10 s page limit, from disk). Trigram indexes (FTS5's `trigram` tokenizer,
-- SQLite 3.34 and later) find the rows holding a word's every three letters in a row; the listing keeps
-- its LIKE on the rows found (store/sql.py, `_word_rows`), so its rows are those of the plain query.
-- The indexes read their text from the tables themselves (external content) and follow them through
-- the triggers below.
CREATE VIRTUAL TABLE stories_title_trigrams USING fts5(
    title, content='stories', content_rowid='rowid', tokenize='trigram'
);
INSERT INTO stories_title_trigrams(stories_title_trigrams) VALUES ('rebuild');
CREATE TRIGGER stories_title_trigrams_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_title_trigrams(rowid, title) VALUES (new.rowid, new.title);
END;
CREATE TRIGGER stories_title_trigrams_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_title_trigrams(stories_title_trigrams, rowid, title) VALUES ('delete', old.rowid, old.title);
END;
CREATE TRIGGER stories_title_trigrams_update AFTER UPDATE OF title ON stories BEGIN
    INSERT INTO stories_title_trigrams(stories_title_trigrams, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO stories_title_trigrams(rowid, title) VALUES (new.rowid, new.title);
END;

CREATE VIRTUAL TABLE speakers_name_trigrams USING fts5(
    name, aliases, content='speakers', content_rowid='id', tokenize='trigram'
);
INSERT INTO speakers_name_trigrams(speakers_name_trigrams) VALUES ('rebuild');
CREATE TRIGGER speakers_name_trigrams_insert AFTER INSERT ON speakers BEGIN
    INSERT INTO speakers_name_trigrams(rowid, name, aliases) VALUES (new.id, new.name, new.aliases);
END;
CREATE TRIGGER speakers_name_trigrams_delete AFTER DELETE ON speakers BEGIN
    INSERT INTO speakers_name_trigrams(speakers_name_trigrams, rowid, name, aliases)
    VALUES ('delete', old.id, old.name, old.aliases);
END;
CREATE TRIGGER speakers_name_trigrams_update AFTER UPDATE OF id, name, aliases ON speakers BEGIN
    INSERT INTO speakers_name_trigrams(speakers_name_trigrams, rowid, name, aliases)
    VALUES ('delete', old.id, old.name, old.aliases);
    INSERT INTO speakers_name_trigrams(rowid, name, aliases) VALUES (new.id, new.name, new.aliases);
END;

-- Utterances are written with INSERT OR REPLACE, whose deletion of the row replaced fires no delete
-- trigger (recursive triggers are off): the row's entry is taken out before the insert instead.
CREATE VIRTUAL TABLE utterances_text_trigrams USING fts5(
    canonical_text, content='utterances', content_rowid='rowid', tokenize='trigram'
);
INSERT INTO utterances_text_trigrams(utterances_text_trigrams) VALUES ('rebuild');
CREATE TRIGGER utterances_text_trigrams_replace BEFORE INSERT ON utterances BEGIN
    INSERT INTO utterances_text_trigrams(utterances_text_trigrams, rowid, canonical_text)
    SELECT 'delete', rowid, canonical_text FROM utterances WHERE id = new.id;
END;
CREATE TRIGGER utterances_text_trigrams_insert AFTER INSERT ON utterances BEGIN
    INSERT INTO utterances_text_trigrams(rowid, canonical_text) VALUES (new.rowid, new.canonical_text);
END;
CREATE TRIGGER utterances_text_trigrams_delete AFTER DELETE ON utterances BEGIN
    INSERT INTO utterances_text_trigrams(utterances_text_trigrams, rowid, canonical_text)
    VALUES ('delete', old.rowid, old.canonical_text);
END;
CREATE TRIGGER utterances_text_trigrams_update AFTER UPDATE OF canonical_text ON utterances BEGIN
    INSERT INTO utterances_text_trigrams(utterances_text_trigrams, rowid, canonical_text)
    VALUES ('delete', old.rowid, old.canonical_text);
    INSERT INTO utterances_text_trigrams(rowid, canonical_text) VALUES (new.rowid, new.canonical_text);
END;

-- The stories listing under dates keeps a story whose span meets them (`last_seen >= from AND
-- first_seen <= to`), which no B-tree index serves: a month read every story (40-930 ms at a million
-- articles). An R*Tree holds each story's span as day numbers (the Julian day of its first ten
-- characters when they are a date that exists, written YYYY-MM-DD; a bound that is not one, or is
-- missing, is the farthest day), and finds the spans that meet a range of days (SQLiteStore's
-- `_index_narrowing`, for dates that are days); the listing keeps its comparisons on the stories found.
CREATE VIRTUAL TABLE stories_spans USING rtree_i32(story_rowid, first_day, last_day);
CREATE VIEW stories_span_days AS
    SELECT rowid AS story_rowid,
           CASE WHEN date(substr(first_seen, 1, 10)) = substr(first_seen, 1, 10)
                THEN CAST(julianday(substr(first_seen, 1, 10)) AS INTEGER) END AS first_day,
           CASE WHEN date(substr(last_seen, 1, 10)) = substr(last_seen, 1, 10)
                THEN CAST(julianday(substr(last_seen, 1, 10)) AS INTEGER) END AS last_day
    FROM stories;
CREATE VIEW stories_span_bounds AS
    SELECT story_rowid,
           min(coalesce(first_day, -2000000000), coalesce(last_day, 2000000000)) AS first_day,
           max(coalesce(first_day, -2000000000), coalesce(last_day, 2000000000)) AS last_day
    FROM stories_span_days;
INSERT INTO stories_spans SELECT story_rowid, first_day, last_day FROM stories_span_bounds;
CREATE TRIGGER stories_spans_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_spans SELECT story_rowid, first_day, last_day FROM stories_span_bounds
    WHERE story_rowid = new.rowid;
END;
CREATE TRIGGER stories_spans_delete AFTER DELETE ON stories BEGIN
    DELETE FROM stories_spans WHERE story_rowid = old.rowid;
END;
CREATE TRIGGER stories_spans_update AFTER UPDATE OF first_seen, last_seen ON stories BEGIN
    DELETE FROM stories_spans WHERE story_rowid = old.rowid;
    INSERT INTO stories_spans SELECT story_rowid, first_day, last_day FROM stories_span_bounds
    WHERE story_rowid = new.rowid;
END;
