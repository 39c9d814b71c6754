-- newstrace schema 30: an outlet's framing markers and quotes counted as they are written, so that its
-- page (`Store.outlet_framing`) reads its counts instead of walking every marker and quote of its
-- articles (the largest outlet of a million articles, 99,000 articles: 2.1 s the first time). Triggers
-- keep them as markers, quotes and articles are written; they are filled from the stored rows here. Rows
-- whose count fell to 0 stay (readers skip them). Articles without an outlet are not counted.
--
-- A key column cannot be NULL, so a referent or a month that may be missing is coded: '' for none, else a
-- letter and the value ('r' || referent, 'm' || the article's YYYY-MM). '' sorts first, as NULL does, and
-- the rest in the order of their values.

-- markers per outlet, category, referent, marker and month of the article
CREATE TABLE outlet_marker_counts (
    outlet   TEXT NOT NULL,
    category TEXT NOT NULL,
    referent TEXT NOT NULL,
    marker   TEXT NOT NULL,
    month    TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (outlet, category, referent, marker, month)
) WITHOUT ROWID;

INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT a.outlet, f.category, COALESCE('r' || f.referent, ''), f.marker,
           COALESCE('m' || substr(a.published, 1, 7), ''), count(*)
    FROM framing_markers f JOIN articles a ON a.id = f.article_id WHERE a.outlet IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER outlet_marker_counts_insert AFTER INSERT ON framing_markers BEGIN
    INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT a.outlet, NEW.category, COALESCE('r' || NEW.referent, ''), NEW.marker,
           COALESCE('m' || substr(a.published, 1, 7), ''), 1
    FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL
    ON CONFLICT(outlet, category, referent, marker, month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outlet_marker_counts_delete AFTER DELETE ON framing_markers BEGIN
    UPDATE outlet_marker_counts SET n = n - 1
    WHERE outlet = (SELECT outlet FROM articles WHERE id = OLD.article_id) AND category = OLD.category
      AND referent = COALESCE('r' || OLD.referent, '') AND marker = OLD.marker
      AND month = (SELECT COALESCE('m' || substr(published, 1, 7), '') FROM articles WHERE id = OLD.article_id);
END;

CREATE TRIGGER outlet_marker_counts_update AFTER UPDATE OF article_id, category, referent, marker ON framing_markers
BEGIN
    UPDATE outlet_marker_counts SET n = n - 1
    WHERE outlet = (SELECT outlet FROM articles WHERE id = OLD.article_id) AND category = OLD.category
      AND referent = COALESCE('r' || OLD.referent, '') AND marker = OLD.marker
      AND month = (SELECT COALESCE('m' || substr(published, 1, 7), '') FROM articles WHERE id = OLD.article_id);
    INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT a.outlet, NEW.category, COALESCE('r' || NEW.referent, ''), NEW.marker,
           COALESCE('m' || substr(a.published, 1, 7), ''), 1
    FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL
    ON CONFLICT(outlet, category, referent, marker, month) DO UPDATE SET n = n + 1;
END;

-- quotes per outlet and speaker id; a quote of no speaker id per the name it holds (speaker_id 0), and one
-- of neither not at all (as the outlet page counted them)
CREATE TABLE outlet_quote_counts (
    outlet     TEXT NOT NULL,
    speaker_id INTEGER NOT NULL,
    speaker    TEXT NOT NULL,  -- '' when speaker_id is not 0
    n          INTEGER NOT NULL,
    PRIMARY KEY (outlet, speaker_id, speaker)
) WITHOUT ROWID;

INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
    SELECT a.outlet, COALESCE(q.speaker_id, 0), CASE WHEN q.speaker_id IS NULL THEN q.speaker ELSE '' END, count(*)
    FROM quotes q JOIN articles a ON a.id = q.article_id
    WHERE a.outlet IS NOT NULL AND (q.speaker_id IS NOT NULL OR q.speaker <> '')
    GROUP BY 1, 2, 3;

CREATE TRIGGER outlet_quote_counts_insert AFTER INSERT ON quotes
WHEN NEW.speaker_id IS NOT NULL OR NEW.speaker <> '' BEGIN
    INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
    SELECT a.outlet, COALESCE(NEW.speaker_id, 0), CASE WHEN NEW.speaker_id IS NULL THEN NEW.speaker ELSE '' END, 1
    FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL
    ON CONFLICT(outlet, speaker_id, speaker) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outlet_quote_counts_delete AFTER DELETE ON quotes
WHEN OLD.speaker_id IS NOT NULL OR OLD.speaker <> '' BEGIN
    UPDATE outlet_quote_counts SET n = n - 1
    WHERE outlet = (SELECT outlet FROM articles WHERE id = OLD.article_id) AND speaker_id = COALESCE(OLD.speaker_id, 0)
      AND speaker = CASE WHEN OLD.speaker_id IS NULL THEN OLD.speaker ELSE '' END;
END;

-- the speakers stage points quotes at their speakers (every quote, when it starts over): an update that
-- leaves a quote's key as it was changes no count
CREATE TRIGGER outlet_quote_counts_update AFTER UPDATE OF article_id, speaker_id, speaker ON quotes
WHEN OLD.article_id IS NOT NEW.article_id OR OLD.speaker_id IS NOT NEW.speaker_id
  OR (NEW.speaker_id IS NULL AND OLD.speaker IS NOT NEW.speaker) BEGIN
    UPDATE outlet_quote_counts SET n = n - 1
    WHERE (OLD.speaker_id IS NOT NULL OR OLD.speaker <> '')
      AND outlet = (SELECT outlet FROM articles WHERE id = OLD.article_id) AND speaker_id = COALESCE(OLD.speaker_id, 0)
      AND speaker = CASE WHEN OLD.speaker_id IS NULL THEN OLD.speaker ELSE '' END;
    INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
    SELECT a.outlet, COALESCE(NEW.speaker_id, 0), CASE WHEN NEW.speaker_id IS NULL THEN NEW.speaker ELSE '' END, 1
    FROM articles a WHERE a.id = NEW.article_id AND a.outlet IS NOT NULL AND (NEW.speaker_id IS NOT NULL OR NEW.speaker <> '')
    ON CONFLICT(outlet, speaker_id, speaker) DO UPDATE SET n = n + 1;
END;

-- the speakers listing over the whole corpus (`SQLStore.page_list`) orders its speakers by their quotes,
-- counted in the quotes' index by speaker, and their outlets, counted here (it joined every quote to its
-- article: 10.7 s of CPU at a million articles). Not on n, which every quote written changes: an index
-- holding it made re-pointing every quote at its speaker a third slower again at a million
CREATE INDEX outlet_quote_counts_by_speaker ON outlet_quote_counts(speaker_id);

-- an article given another outlet or month (metadata corrected, redated): its markers and quotes move
CREATE TRIGGER outlet_counts_article_update AFTER UPDATE OF outlet, published ON articles
WHEN OLD.outlet IS NOT NEW.outlet OR substr(OLD.published, 1, 7) IS NOT substr(NEW.published, 1, 7) BEGIN
    UPDATE outlet_marker_counts SET n = n - moved.k
    FROM (SELECT category, COALESCE('r' || referent, '') AS referent, marker, count(*) AS k
          FROM framing_markers WHERE article_id = OLD.id GROUP BY 1, 2, 3) AS moved
    WHERE outlet_marker_counts.outlet = OLD.outlet AND outlet_marker_counts.category = moved.category
      AND outlet_marker_counts.referent = moved.referent AND outlet_marker_counts.marker = moved.marker
      AND outlet_marker_counts.month = COALESCE('m' || substr(OLD.published, 1, 7), '');
    INSERT INTO outlet_marker_counts(outlet, category, referent, marker, month, n)
    SELECT NEW.outlet, category, COALESCE('r' || referent, ''), marker, COALESCE('m' || substr(NEW.published, 1, 7), ''),
           count(*)
    FROM framing_markers WHERE article_id = NEW.id AND NEW.outlet IS NOT NULL GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT(outlet, category, referent, marker, month) DO UPDATE SET n = n + excluded.n;
    UPDATE outlet_quote_counts SET n = n - moved.k
    FROM (SELECT COALESCE(speaker_id, 0) AS speaker_id, CASE WHEN speaker_id IS NULL THEN speaker ELSE '' END AS speaker,
                 count(*) AS k
          FROM quotes WHERE article_id = OLD.id AND (speaker_id IS NOT NULL OR speaker <> '') GROUP BY 1, 2) AS moved
    WHERE OLD.outlet IS NOT NEW.outlet AND outlet_quote_counts.outlet = OLD.outlet
      AND outlet_quote_counts.speaker_id = moved.speaker_id AND outlet_quote_counts.speaker = moved.speaker;
    INSERT INTO outlet_quote_counts(outlet, speaker_id, speaker, n)
    SELECT NEW.outlet, COALESCE(speaker_id, 0), CASE WHEN speaker_id IS NULL THEN speaker ELSE '' END, count(*)
    FROM quotes WHERE article_id = NEW.id AND NEW.outlet IS NOT NULL AND OLD.outlet IS NOT NEW.outlet
      AND (speaker_id IS NOT NULL OR speaker <> '') GROUP BY 1, 2, 3
    ON CONFLICT(outlet, speaker_id, speaker) DO UPDATE SET n = n + excluded.n;
END;
