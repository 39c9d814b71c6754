-- newstrace PostgreSQL schema 21 (SQLite's 31): indexes for the filters that compare a name in any case.
-- The store writes SQLite's `x = ? COLLATE NOCASE` as `lower(x) = lower(?)` here, which only an index
-- on `lower(x)` can answer: an outlet on the stories, speakers, utterances and
-- flags listings.
CREATE INDEX articles_by_outlet_any_case ON articles (lower(outlet), story_id);
CREATE INDEX renderings_by_outlet_any_case ON renderings (lower(outlet), utterance_id);
