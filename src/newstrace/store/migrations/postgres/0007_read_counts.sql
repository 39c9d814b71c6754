-- newstrace PostgreSQL schema 7 (SQLite's 16): counts the web app reads instead of counting rows on
-- every page: articles per day, outlet and language, and renderings per set of flags. Triggers keep
-- them as articles and renderings are written; they are filled from the stored rows here. Rows whose
-- count fell to 0 stay (readers skip them).

-- '' where the article has no date, outlet or language; `timed` is 1 when `published` holds a time of
-- day too, so that "published on or before a day" is answered exactly from the counts
CREATE TABLE article_counts (
    day      text COLLATE "C" NOT NULL,
    outlet   text COLLATE "C" NOT NULL,
    language text COLLATE "C" NOT NULL,
    timed    integer NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (day, outlet, language, timed)
);
-- an outlet's or a language's counts read from the index alone (a language has tens of thousands of rows)
CREATE INDEX article_counts_by_outlet ON article_counts(outlet, day, language, timed, n);
CREATE INDEX article_counts_by_language ON article_counts(language, day, outlet, timed, n);

INSERT INTO article_counts(day, outlet, language, timed, n)
    SELECT COALESCE(substr(published, 1, 10), ''), COALESCE(outlet, ''), COALESCE(language, ''),
           CASE WHEN length(published) > 10 THEN 1 ELSE 0 END, count(*)
    FROM articles GROUP BY 1, 2, 3, 4;

CREATE FUNCTION newstrace_count_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE article_counts SET n = n - 1
        WHERE day = COALESCE(substr(OLD.published, 1, 10), '') AND outlet = COALESCE(OLD.outlet, '')
          AND language = COALESCE(OLD.language, '')
          AND timed = CASE WHEN length(OLD.published) > 10 THEN 1 ELSE 0 END;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO article_counts(day, outlet, language, timed, n)
        VALUES (COALESCE(substr(NEW.published, 1, 10), ''), COALESCE(NEW.outlet, ''), COALESCE(NEW.language, ''),
                CASE WHEN length(NEW.published) > 10 THEN 1 ELSE 0 END, 1)
        ON CONFLICT (day, outlet, language, timed) DO UPDATE SET n = article_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER article_counts_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_article();
CREATE TRIGGER article_counts_update AFTER UPDATE OF published, outlet, language ON articles
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_article();

-- renderings per set of flags (the JSON list as stored: a handful of distinct values)
CREATE TABLE rendering_flag_counts (
    flags text COLLATE "C" PRIMARY KEY,
    n     bigint NOT NULL
);

INSERT INTO rendering_flag_counts(flags, n) SELECT flags, count(*) FROM renderings GROUP BY flags;

CREATE FUNCTION newstrace_count_rendering() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE rendering_flag_counts SET n = n - 1 WHERE flags = OLD.flags;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO rendering_flag_counts(flags, n) VALUES (NEW.flags, 1)
        ON CONFLICT (flags) DO UPDATE SET n = rendering_flag_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER rendering_flag_counts_insert_delete AFTER INSERT OR DELETE ON renderings
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_rendering();
CREATE TRIGGER rendering_flag_counts_update AFTER UPDATE OF flags ON renderings
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_rendering();
