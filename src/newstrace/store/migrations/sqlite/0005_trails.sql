-- newstrace schema 5: quote trails. An utterance is one statement as its speaker made it; each quote
-- that renders it is a rendering, compared word by word with the utterance's canonical text.

CREATE TABLE utterances (
    id                 TEXT PRIMARY KEY,     -- u_ and the id of the quote that opened it
    speaker_id         INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
    speaker            TEXT,
    canonical_quote_id TEXT,                 -- the rendering whose wording is canonical
    canonical_text     TEXT NOT NULL,
    first_article_id   TEXT REFERENCES articles(id) ON DELETE SET NULL,
    first_seen         TEXT,                 -- ISO date of the earliest rendering
    first_outlet       TEXT,
    n_renderings       INTEGER NOT NULL,
    n_outlets          INTEGER NOT NULL,
    recurs_from        TEXT                  -- an earlier utterance of the same words by the same speaker
);
CREATE INDEX utterances_by_speaker ON utterances(speaker_id);

CREATE TABLE renderings (
    quote_id     TEXT PRIMARY KEY REFERENCES quotes(id) ON DELETE CASCADE,
    utterance_id TEXT NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
    article_id   TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    outlet       TEXT,
    fidelity     REAL NOT NULL,
    diff         TEXT NOT NULL,              -- JSON list of {op, canonical, rendering}
    flags        TEXT NOT NULL               -- JSON list of flag names
) WITHOUT ROWID;
CREATE INDEX renderings_by_utterance ON renderings(utterance_id);
