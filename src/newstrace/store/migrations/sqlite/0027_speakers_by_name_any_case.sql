-- newstrace schema 27: the speakers by name in any case, so that a search for a speaker by name (`name =
-- ? COLLATE NOCASE`: the search form's speaker field, "who said it" with a speaker, the listings' speaker
-- filter) finds its ids in the index instead of comparing the name with every speaker's (50,000 at a
-- million articles: 2.5-4 ms of each such search). The unique index on the name compares it as written.
CREATE INDEX speakers_by_name_any_case ON speakers(name COLLATE NOCASE);
