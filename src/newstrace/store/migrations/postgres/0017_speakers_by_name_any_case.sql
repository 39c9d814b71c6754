-- newstrace PostgreSQL schema 17 (SQLite's 27): the speakers by their name folded to lower case, so that a
-- search for a speaker by name (`lower(name) = lower(?)`, the store's spelling of SQLite's NOCASE) finds its
-- ids in the index instead of comparing the name with every speaker's.
CREATE INDEX speakers_by_name_any_case ON speakers (lower(name));
