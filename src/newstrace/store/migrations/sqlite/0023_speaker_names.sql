-- newstrace schema 23: what the cross-article speaker resolution needs of each speaker name, summed over
-- the quotes the speakers stage has taken in, and the speaker it was resolved to last. The resolution
-- never joins names of two keys (`link.speakers.name_key`: the surname in loosened Latin letters) and
-- depends on each name's sums alone, so a run that takes in new articles adds their quotes to the sums
-- of their names and resolves again only those names' keys (and the keys a user's correction ties to
-- them) from these rows, instead of reading every quote of the corpus. Filled by the next resolution of
-- the whole corpus (a database made before this schema is resolved whole once, as at every run before).

CREATE TABLE speaker_names (
    name     TEXT PRIMARY KEY,      -- a speaker name as resolved inside its article (quotes.speaker)
    name_key TEXT NOT NULL,
    speaker  TEXT NOT NULL,         -- the speaker it was resolved to last, after the corrections
    mentions INTEGER NOT NULL,      -- quotes naming it
    roles    TEXT NOT NULL,         -- JSON list: the roles their sources give it
    sources  TEXT NOT NULL          -- JSON list: their sources that could be another name of its speaker
) WITHOUT ROWID;
CREATE INDEX speaker_names_by_key ON speaker_names(name_key);
