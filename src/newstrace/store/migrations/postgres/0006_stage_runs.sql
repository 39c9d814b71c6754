-- newstrace PostgreSQL schema 6 (SQLite's 15): one table of stage runs for every stage
-- (`pipeline.stages`). A version is text now (a number, or a number and a settings digest,
-- `1:<lexicon digest>`); framing's version moves from its status into `version`. Speakers and trails,
-- which kept no record before, are counted done on every article the last run finished them on, so an
-- upgraded database does not redo them. A row whose status is `stale` was made outdated by an upstream
-- stage that redid its article.

ALTER TABLE stage_runs ALTER COLUMN version TYPE text COLLATE "C" USING version::text;

UPDATE stage_runs SET version = status, status = 'done' WHERE stage = 'framing';

-- every analyze resolved the speakers of every stored quote at its end
INSERT INTO stage_runs(article_id, stage, version, status, finished_at)
    SELECT article_id, 'speakers', '1', 'done', finished_at FROM stage_runs WHERE stage = 'quotes';

-- trails are done on an article none of whose quotes waits for an utterance
INSERT INTO stage_runs(article_id, stage, version, status, finished_at)
    SELECT s.article_id, 'trails', '1', 'done', s.finished_at FROM stage_runs s
    WHERE s.stage = 'quotes' AND NOT EXISTS (
        SELECT 1 FROM quotes q LEFT JOIN renderings r ON r.quote_id = q.id
        WHERE q.article_id = s.article_id AND r.quote_id IS NULL
    );

CREATE INDEX stage_runs_by_stage ON stage_runs(stage, version, status);
