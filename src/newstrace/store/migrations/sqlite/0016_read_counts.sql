-- newstrace schema 16: counts the web app reads instead of counting rows on every page (at a million
-- articles, counting a flag's renderings or an outlet's articles took 0.1-0.6 s a page, and under load
-- those pages held up every other). Triggers keep them as articles and renderings are written; they
-- are filled from the stored rows here. Rows whose count fell to 0 stay (readers skip them).

-- articles per day, outlet and language ('' where the article has none); `timed` is 1 when `published`
-- holds a time of day too, so that "published on or before a day" is answered exactly from the counts
-- (a timed article of that very day sorts after the day itself)
CREATE TABLE article_counts (
    day      TEXT NOT NULL,
    outlet   TEXT NOT NULL,
    language TEXT NOT NULL,
    timed    INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (day, outlet, language, timed)
) WITHOUT ROWID;
-- an outlet's or a language's counts read from the index alone (a language has tens of thousands of rows)
CREATE INDEX article_counts_by_outlet ON article_counts(outlet, day, language, timed, n);
CREATE INDEX article_counts_by_language ON article_counts(language, day, outlet, timed, n);

INSERT INTO article_counts(day, outlet, language, timed, n)
    SELECT COALESCE(substr(published, 1, 10), ''), COALESCE(outlet, ''), COALESCE(language, ''),
           CASE WHEN length(published) > 10 THEN 1 ELSE 0 END, count(*)
    FROM articles GROUP BY 1, 2, 3, 4;

CREATE TRIGGER article_counts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO article_counts(day, outlet, language, timed, n)
    VALUES (COALESCE(substr(NEW.published, 1, 10), ''), COALESCE(NEW.outlet, ''), COALESCE(NEW.language, ''),
            CASE WHEN length(NEW.published) > 10 THEN 1 ELSE 0 END, 1)
    ON CONFLICT(day, outlet, language, timed) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER article_counts_delete AFTER DELETE ON articles BEGIN
    UPDATE article_counts SET n = n - 1
    WHERE day = COALESCE(substr(OLD.published, 1, 10), '') AND outlet = COALESCE(OLD.outlet, '')
      AND language = COALESCE(OLD.language, '') AND timed = CASE WHEN length(OLD.published) > 10 THEN 1 ELSE 0 END;
END;

CREATE TRIGGER article_counts_update AFTER UPDATE OF published, outlet, language ON articles BEGIN
    UPDATE article_counts SET n = n - 1
    WHERE day = COALESCE(substr(OLD.published, 1, 10), '') AND outlet = COALESCE(OLD.outlet, '')
      AND language = COALESCE(OLD.language, '') AND timed = CASE WHEN length(OLD.published) > 10 THEN 1 ELSE 0 END;
    INSERT INTO article_counts(day, outlet, language, timed, n)
    VALUES (COALESCE(substr(NEW.published, 1, 10), ''), COALESCE(NEW.outlet, ''), COALESCE(NEW.language, ''),
            CASE WHEN length(NEW.published) > 10 THEN 1 ELSE 0 END, 1)
    ON CONFLICT(day, outlet, language, timed) DO UPDATE SET n = n + 1;
END;

-- renderings per set of flags (the JSON list as stored: a handful of distinct values), from which the
-- flags listing's totals are summed
CREATE TABLE rendering_flag_counts (
    flags TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO rendering_flag_counts(flags, n) SELECT flags, count(*) FROM renderings GROUP BY flags;

-- renderings are written with INSERT OR REPLACE, whose replaced row fires no delete trigger: the row
-- about to be replaced is taken off first
CREATE TRIGGER rendering_flag_counts_replace BEFORE INSERT ON renderings BEGIN
    UPDATE rendering_flag_counts SET n = n - 1
    WHERE flags = (SELECT flags FROM renderings WHERE quote_id = NEW.quote_id);
END;

CREATE TRIGGER rendering_flag_counts_insert AFTER INSERT ON renderings BEGIN
    INSERT INTO rendering_flag_counts(flags, n) VALUES (NEW.flags, 1)
    ON CONFLICT(flags) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER rendering_flag_counts_delete AFTER DELETE ON renderings BEGIN
    UPDATE rendering_flag_counts SET n = n - 1 WHERE flags = OLD.flags;
END;

CREATE TRIGGER rendering_flag_counts_update AFTER UPDATE OF flags ON renderings BEGIN
    UPDATE rendering_flag_counts SET n = n - 1 WHERE flags = OLD.flags;
    INSERT INTO rendering_flag_counts(flags, n) VALUES (NEW.flags, 1)
    ON CONFLICT(flags) DO UPDATE SET n = n + 1;
END;
