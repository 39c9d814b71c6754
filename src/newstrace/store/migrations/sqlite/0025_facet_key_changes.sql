-- newstrace schema 25: which articles' facet keys (schema 20) changed, in the order they changed, so that
-- a process holding every article's keys in memory (store.columns: a search's facets and chart counted
-- from those columns instead of 1,000 rows read and made Python objects per search) reads only the rows
-- changed since its last look. One row per article, its number raised at each change of the article's
-- keys (inserted, updated, deleted), so the table is never larger than the articles ever written.
-- It starts empty: a process reads every key once, then the changes numbered after the last it saw.

CREATE TABLE facet_key_changes (
    article_rowid INTEGER PRIMARY KEY,
    seq           INTEGER NOT NULL
);
CREATE INDEX facet_key_changes_by_seq ON facet_key_changes(seq);

CREATE TRIGGER facet_key_changes_insert AFTER INSERT ON article_facet_keys BEGIN
    INSERT OR REPLACE INTO facet_key_changes(article_rowid, seq)
    VALUES (NEW.article_rowid, (SELECT COALESCE(max(seq), 0) + 1 FROM facet_key_changes));
END;

CREATE TRIGGER facet_key_changes_update AFTER UPDATE ON article_facet_keys BEGIN
    INSERT OR REPLACE INTO facet_key_changes(article_rowid, seq)
    VALUES (NEW.article_rowid, (SELECT COALESCE(max(seq), 0) + 1 FROM facet_key_changes));
    INSERT OR REPLACE INTO facet_key_changes(article_rowid, seq)
    SELECT OLD.article_rowid, (SELECT COALESCE(max(seq), 0) + 1 FROM facet_key_changes)
    WHERE OLD.article_rowid IS NOT NEW.article_rowid;
END;

CREATE TRIGGER facet_key_changes_delete AFTER DELETE ON article_facet_keys BEGIN
    INSERT OR REPLACE INTO facet_key_changes(article_rowid, seq)
    VALUES (OLD.article_rowid, (SELECT COALESCE(max(seq), 0) + 1 FROM facet_key_changes));
END;
