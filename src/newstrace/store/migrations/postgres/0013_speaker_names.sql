-- newstrace PostgreSQL schema 13 (SQLite's 23): every speaker name the speakers stage has taken in, with
-- its resolution key (`link.speakers.name_key`: its surname in loosened Latin letters). The cross-article
-- resolution never joins names of two keys, so a run that takes in new articles re-resolves only the keys
-- their quotes name (and the keys a user's correction ties to them), reading those names' quotes through
-- this index instead of every quote of the corpus. Filled by the next full resolution.

CREATE TABLE speaker_names (
    name     text COLLATE "C" PRIMARY KEY,  -- a speaker name as resolved inside its article (quotes.speaker)
    name_key text COLLATE "C" NOT NULL
);
CREATE INDEX speaker_names_by_key ON speaker_names(name_key);
