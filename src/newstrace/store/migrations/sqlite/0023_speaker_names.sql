-- newstrace schema 23: every speaker name the speakers stage has taken in, with its resolution key
-- (`link.speakers.name_key`: its surname in loosened Latin letters). The cross-article resolution never
-- joins names of two keys, so a run that takes in new articles re-resolves only the keys their quotes
-- name (and the keys a user's correction ties to them), reading those names' quotes through this index
-- instead of every quote of the corpus. Filled by the next full resolution (a database made before this
-- schema is resolved whole once, as it was at every run before).

CREATE TABLE speaker_names (
    name     TEXT PRIMARY KEY,  -- a speaker name as resolved inside its article (quotes.speaker)
    name_key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX speaker_names_by_key ON speaker_names(name_key);
