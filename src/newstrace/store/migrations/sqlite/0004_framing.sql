-- newstrace schema 4: framing markers. Naming variants and evaluative labels found in the text, and the
-- stance of each quote's reporting verb, all with offsets; the lexicon digest in stage_runs.status says
-- which lexicon produced them, so an edited lexicon makes framing run again.

CREATE TABLE framing_markers (
    id         INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    marker     TEXT NOT NULL,          -- the lexicon's phrase, or the reporting verb's base form
    referent   TEXT,                   -- the referent; for attribution, the speaker quoted
    category   TEXT NOT NULL CHECK (category IN ('naming', 'label', 'neutral', 'distancing', 'endorsing')),
    text       TEXT NOT NULL,          -- as written in the article
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    quote_id   TEXT REFERENCES quotes(id) ON DELETE CASCADE
);
CREATE INDEX framing_by_article ON framing_markers(article_id);
CREATE INDEX framing_by_category ON framing_markers(category, referent);

CREATE VIEW framing_export AS
    SELECT f.article_id, a.outlet, f.marker, f.referent, f.category, f.text, f.start, f."end", f.id AS rowid
    FROM framing_markers f JOIN articles a ON a.id = f.article_id;
