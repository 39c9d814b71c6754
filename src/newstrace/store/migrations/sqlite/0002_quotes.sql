-- newstrace schema 2: attributions (quotes) with source, cue and content spans, and speakers linked
-- across articles. Datelines and headers that the language analysis skipped are kept on the article.

ALTER TABLE articles ADD COLUMN header_spans TEXT NOT NULL DEFAULT '[]';

CREATE TABLE speakers (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '[]',  -- JSON list of other names the speaker was resolved from
    roles   TEXT NOT NULL DEFAULT '[]'   -- JSON list of descriptions seen beside the name
);

CREATE TABLE quotes (
    id            TEXT PRIMARY KEY,      -- article id and cue offset
    article_id    TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('direct', 'indirect', 'mixed', 'partial')),
    source_text   TEXT,
    source_start  INTEGER,
    source_end    INTEGER,
    speaker       TEXT,                  -- the name resolved inside the article
    speaker_id    INTEGER REFERENCES speakers(id),
    cue_text      TEXT NOT NULL,
    cue_start     INTEGER NOT NULL,
    cue_end       INTEGER NOT NULL,
    content_text  TEXT NOT NULL,
    content_start INTEGER NOT NULL,
    content_end   INTEGER NOT NULL,
    confidence    REAL NOT NULL
);
CREATE INDEX quotes_by_article ON quotes(article_id);
CREATE INDEX quotes_by_speaker ON quotes(speaker_id);
CREATE INDEX quotes_by_speaker_name ON quotes(speaker);

CREATE VIEW speaker_stats AS
    SELECT s.id, s.name, s.aliases, s.roles,
           count(q.id) AS n_quotes, count(DISTINCT q.article_id) AS n_articles
    FROM speakers s LEFT JOIN quotes q ON q.speaker_id = s.id
    GROUP BY s.id;
