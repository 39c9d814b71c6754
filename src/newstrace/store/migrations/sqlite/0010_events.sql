-- newstrace schema 10: PLOVER events. `event_mentions` holds what the events stage found in each
-- sentence (trigger, type, mode, actors, object, date expression, all with offsets); after the document
-- stages the date is resolved against the article's date, statements are linked to their quote, and
-- mentions of one occurrence across the reports of a story are grouped into one row of `events`.

CREATE TABLE event_mentions (
    id             TEXT PRIMARY KEY,
    article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_type     TEXT NOT NULL,
    mode           TEXT,
    auxiliary      TEXT,                -- future | hypothetical | negated
    confidence     REAL NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end   INTEGER NOT NULL,
    trigger_text   TEXT NOT NULL,
    trigger_start  INTEGER NOT NULL,
    trigger_end    INTEGER NOT NULL,
    source_text    TEXT,
    source_start   INTEGER,
    source_end     INTEGER,
    source_code    TEXT,                -- ISO 3166 alpha-3 or an organisation's code
    source_name    TEXT,
    source_kind    TEXT,                -- country | IGO | NGO | group
    source_sector  TEXT,                -- GOV, MIL, COP, REB, ...
    target_text    TEXT,
    target_start   INTEGER,
    target_end     INTEGER,
    target_code    TEXT,
    target_name    TEXT,
    target_kind    TEXT,
    target_sector  TEXT,
    object_text    TEXT,
    object_start   INTEGER,
    object_end     INTEGER,
    date_text      TEXT,
    date_start     INTEGER,
    date_end       INTEGER,
    date           TEXT,                -- resolved against the article's date (YYYY-MM-DD)
    quote_id       TEXT,
    event_id       TEXT
);
CREATE INDEX event_mentions_by_article ON event_mentions(article_id);
CREATE INDEX event_mentions_by_event ON event_mentions(event_id);

CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    story_id         TEXT,
    event_type       TEXT NOT NULL,
    mode             TEXT,
    auxiliary        TEXT,
    source_code      TEXT,
    source_name      TEXT,
    source_sector    TEXT,
    target_code      TEXT,
    target_name      TEXT,
    target_sector    TEXT,
    object_text      TEXT,
    date             TEXT,
    first_article_id TEXT,
    first_reported   TEXT,
    n_mentions       INTEGER NOT NULL,
    n_articles       INTEGER NOT NULL,
    n_outlets        INTEGER NOT NULL,
    outlets          TEXT NOT NULL,     -- JSON list
    confidence       REAL NOT NULL
);
CREATE INDEX events_by_source ON events(source_code, event_type);
CREATE INDEX events_by_target ON events(target_code, event_type);
