-- newstrace PostgreSQL schema 13 (SQLite's 23): what the cross-article speaker resolution needs of each
-- speaker name, summed over the quotes the speakers stage has taken in, and the speaker it was resolved
-- to last. The resolution never joins names of two keys (`link.speakers.name_key`) and depends on each
-- name's sums alone, so a run that takes in new articles resolves again only their names' keys from these
-- rows. Filled by the next resolution of the whole corpus.

CREATE TABLE speaker_names (
    name     text COLLATE "C" PRIMARY KEY,  -- a speaker name as resolved inside its article (quotes.speaker)
    name_key text COLLATE "C" NOT NULL,
    speaker  text COLLATE "C" NOT NULL,     -- the speaker it was resolved to last, after the corrections
    mentions integer NOT NULL,              -- quotes naming it
    roles    text NOT NULL,                 -- JSON list: the roles their sources give it
    sources  text NOT NULL                  -- JSON list: their sources that could be another name of its speaker
);
CREATE INDEX speaker_names_by_key ON speaker_names(name_key);
