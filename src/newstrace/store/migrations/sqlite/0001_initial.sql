-- newstrace schema 1: articles with their provenance, the NLP stage's sentences and entities,
-- per-article stage bookkeeping, runs and ingest problems, and a full-text index.

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    command     TEXT NOT NULL,
    summary     TEXT            -- JSON, the RunSummary printed at the end
);

CREATE TABLE articles (
    id            TEXT PRIMARY KEY,   -- hash of the normalised text
    path          TEXT,
    url           TEXT,
    outlet        TEXT,
    title         TEXT,
    author        TEXT,
    published     TEXT,               -- ISO date
    dateline      TEXT,
    language      TEXT,
    n_words       INTEGER NOT NULL,
    source_format TEXT NOT NULL,
    field_sources TEXT NOT NULL DEFAULT '{}',  -- JSON: field -> metadata|header|url|inferred
    revision_of   TEXT REFERENCES articles(id),
    revision      INTEGER NOT NULL DEFAULT 0,
    story_id      TEXT,
    duplicate_of  TEXT REFERENCES articles(id),
    first_run_id  INTEGER REFERENCES runs(id),
    text          TEXT NOT NULL
);
CREATE INDEX articles_by_url ON articles(url);
CREATE INDEX articles_by_outlet ON articles(outlet);
CREATE INDEX articles_by_published ON articles(published);

CREATE TABLE sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    PRIMARY KEY (article_id, start)
) WITHOUT ROWID;

CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    text       TEXT NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL
);
CREATE INDEX entities_by_article ON entities(article_id);
CREATE INDEX entities_by_text ON entities(text);

CREATE TABLE stage_runs (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (article_id, stage)
) WITHOUT ROWID;

CREATE TABLE problems (
    id     INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    origin TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
