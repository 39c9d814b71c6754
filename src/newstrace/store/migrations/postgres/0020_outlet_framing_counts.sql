-- newstrace PostgreSQL schema 20 (SQLite's 30): an outlet's framing markers and quotes counted as they are
-- written, so that its page (`Store.outlet_framing`) reads its counts instead of walking every marker and
-- quote of its articles. Triggers keep them as markers, quotes and articles are written; they are filled
-- from the stored rows here. Rows whose count fell to 0 stay (readers skip them). Articles without an
-- outlet are not counted.
--
-- A key column cannot be NULL, so a referent or a month that may be missing is coded: '' for none, else a
-- letter and the value ('r' || referent, 'm' || the article's YYYY-MM). '' sorts first, as NULL does.

-- markers per outlet, category, referent, marker and month of the article
CREATE TABLE outlet_marker_counts (
    outlet   text COLLATE "C" NOT NULL,
    category text COLLATE "C" NOT NULL,
    referent text COLLATE "C" NOT NULL,
    marker   text COLLATE "C" NOT NULL,
    month    text COLLATE "C" NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (outlet, category, referent, marker, month)
);

INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT a.outlet, f.category, COALESCE('r' || f.referent, ''), f.marker,
           COALESCE('m' || substr(a.published, 1, 7), ''), count(*)
    FROM framing_markers f JOIN articles a ON a.id = f.article_id WHERE a.outlet IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION newstrace_count_outlet_marker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE outlet_marker_counts c SET n = c.n - 1
        FROM articles a
        WHERE a.id = OLD.article_id AND c.outlet = a.outlet AND c.category = OLD.category
          AND c.referent = COALESCE('r' || OLD.referent, '') AND c.marker = OLD.marker
          AND c.month = COALESCE('m' || substr(a.published, 1, 7), '');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
        SELECT a.outlet, NEW.category, COALESCE('r' || NEW.referent, ''), NEW.marker,
               COALESCE('m' || substr(a.published, 1, 7), ''), 1
        FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL
        ON CONFLICT (outlet, category, referent, marker, month) DO UPDATE SET n = outlet_marker_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outlet_marker_counts_insert_delete AFTER INSERT OR DELETE ON framing_markers
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_outlet_marker();
CREATE TRIGGER outlet_marker_counts_update AFTER UPDATE OF article_id, category, referent, marker ON framing_markers
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_outlet_marker();

-- quotes per outlet and speaker id; a quote of no speaker id per the name it holds (speaker_id 0), and one
-- of neither not at all (as the outlet page counted them)
CREATE TABLE outlet_quote_counts (
    outlet     text COLLATE "C" NOT NULL,
    speaker_id bigint NOT NULL,
    speaker    text COLLATE "C" NOT NULL,  -- '' when speaker_id is not 0
    n          bigint NOT NULL,
    PRIMARY KEY (outlet, speaker_id, speaker)
);

INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
    SELECT a.outlet, COALESCE(q.speaker_id, 0), CASE WHEN q.speaker_id IS NULL THEN q.speaker ELSE '' END, count(*)
    FROM quotes q JOIN articles a ON a.id = q.article_id
    WHERE a.outlet IS NOT NULL AND (q.speaker_id IS NOT NULL OR q.speaker <> '')
    GROUP BY 1, 2, 3;

CREATE FUNCTION newstrace_count_outlet_quote() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND (OLD.speaker_id IS NOT NULL OR OLD.speaker <> '') THEN
        UPDATE outlet_quote_counts c SET n = c.n - 1
        FROM articles a
        WHERE a.id = OLD.article_id AND c.outlet = a.outlet AND c.speaker_id = COALESCE(OLD.speaker_id, 0)
          AND c.speaker = CASE WHEN OLD.speaker_id IS NULL THEN OLD.speaker ELSE '' END;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND (NEW.speaker_id IS NOT NULL OR NEW.speaker <> '') THEN
        INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
        SELECT a.outlet, COALESCE(NEW.speaker_id, 0), CASE WHEN NEW.speaker_id IS NULL THEN NEW.speaker ELSE '' END, 1
        FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL
        ON CONFLICT (outlet, speaker_id, speaker) DO UPDATE SET n = outlet_quote_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outlet_quote_counts_insert_delete AFTER INSERT OR DELETE ON quotes
    FOR EACH ROW EXECUTE FUNCTION newstrace_count_outlet_quote();
-- the speakers stage points quotes at their speakers (every quote, when it starts over): an update that
-- leaves a quote's key as it was changes no count
CREATE TRIGGER outlet_quote_counts_update AFTER UPDATE OF article_id, speaker_id, speaker ON quotes
    FOR EACH ROW WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.speaker_id IS DISTINCT FROM NEW.speaker_id
                       OR (NEW.speaker_id IS NULL AND OLD.speaker IS DISTINCT FROM NEW.speaker))
    EXECUTE FUNCTION newstrace_count_outlet_quote();

-- the speakers listing over the whole corpus (`SQLStore.page_list`) orders its speakers by their quotes,
-- counted in the quotes' index by speaker, and their outlets, counted here (it joined every quote to its
-- article: 10.7 s of CPU at a million articles). Not on n, which every quote written changes: an index
-- holding it made re-pointing every quote at its speaker a third slower again at a million
CREATE INDEX outlet_quote_counts_by_speaker ON outlet_quote_counts(speaker_id);

-- an article given another outlet or month (metadata corrected, redated): its markers and quotes move
CREATE FUNCTION newstrace_move_outlet_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outlet_marker_counts c SET n = c.n - moved.k
    FROM (SELECT category, COALESCE('r' || referent, '') AS referent, marker, count(*) AS k
          FROM framing_markers WHERE article_id = OLD.id GROUP BY 1, 2, 3) AS moved
    WHERE c.outlet = OLD.outlet AND c.category = moved.category AND c.referent = moved.referent
      AND c.marker = moved.marker AND c.month = COALESCE('m' || substr(OLD.published, 1, 7), '');
    INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT NEW.outlet, category, COALESCE('r' || referent, ''), marker, COALESCE('m' || substr(NEW.published, 1, 7), ''),
           count(*)
    FROM framing_markers WHERE article_id = NEW.id AND NEW.outlet IS NOT NULL GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (outlet, category, referent, marker, month) DO UPDATE SET n = outlet_marker_counts.n + excluded.n;
    IF OLD.outlet IS DISTINCT FROM NEW.outlet THEN
        UPDATE outlet_quote_counts c SET n = c.n - moved.k
        FROM (SELECT COALESCE(speaker_id, 0) AS speaker_id,
                     CASE WHEN speaker_id IS NULL THEN speaker ELSE '' END AS speaker, count(*) AS k
              FROM quotes WHERE article_id = OLD.id AND (speaker_id IS NOT NULL OR speaker <> '') GROUP BY 1, 2) AS moved
        WHERE c.outlet = OLD.outlet AND c.speaker_id = moved.speaker_id AND c.speaker = moved.speaker;
        INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
        SELECT NEW.outlet, COALESCE(speaker_id, 0), CASE WHEN speaker_id IS NULL THEN speaker ELSE '' END, count(*)
        FROM quotes WHERE article_id = NEW.id AND NEW.outlet IS NOT NULL AND (speaker_id IS NOT NULL OR speaker <> '')
        GROUP BY 1, 2, 3
        ON CONFLICT (outlet, speaker_id, speaker) DO UPDATE SET n = outlet_quote_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outlet_counts_article_update AFTER UPDATE OF outlet, published ON articles
    FOR EACH ROW WHEN (OLD.outlet IS DISTINCT FROM NEW.outlet
                       OR substr(OLD.published, 1, 7) IS DISTINCT FROM substr(NEW.published, 1, 7))
    EXECUTE FUNCTION newstrace_move_outlet_counts();
