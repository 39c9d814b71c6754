-- newstrace schema 21: the articles counted per set of flags their renderings carry (the `flags` bits of
-- article_facet_keys, schema 20: 1 altered_direct_quote, 2 speaker_changed, 4 translated), so that a
-- search for a flag alone is totalled by summing a handful of rows (counting its articles up to 10,000
-- through the flagged renderings took 12 ms of each such page at a million articles). Triggers on the
-- facet keys keep the counts as those rows change; sets of flags no article carries any more stay, at 0.

CREATE TABLE flag_counts (
    flags INTEGER PRIMARY KEY,
    n     INTEGER NOT NULL
);

INSERT INTO flag_counts(flags, n)
    SELECT flags, count(*) FROM article_facet_keys WHERE flags <> 0 GROUP BY flags;

-- a row replaced (INSERT OR REPLACE fires no delete trigger): its old flags counted out first
CREATE TRIGGER flag_counts_replace BEFORE INSERT ON article_facet_keys BEGIN
    UPDATE flag_counts SET n = n - 1
    WHERE flags = (SELECT flags FROM article_facet_keys WHERE article_rowid = NEW.article_rowid);
END;

CREATE TRIGGER flag_counts_insert AFTER INSERT ON article_facet_keys WHEN NEW.flags <> 0 BEGIN
    INSERT INTO flag_counts(flags, n) VALUES (NEW.flags, 1) ON CONFLICT(flags) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER flag_counts_delete AFTER DELETE ON article_facet_keys WHEN OLD.flags <> 0 BEGIN
    UPDATE flag_counts SET n = n - 1 WHERE flags = OLD.flags;
END;

CREATE TRIGGER flag_counts_update AFTER UPDATE OF flags ON article_facet_keys WHEN OLD.flags <> NEW.flags BEGIN
    UPDATE flag_counts SET n = n - 1 WHERE flags = OLD.flags;
    INSERT INTO flag_counts(flags, n) SELECT NEW.flags, 1 WHERE NEW.flags <> 0
        ON CONFLICT(flags) DO UPDATE SET n = n + 1;
END;
