-- newstrace PostgreSQL schema 18 (SQLite's 28): indexes for the filters that compare a name in any case.
-- The store writes SQLite's `x = ? COLLATE NOCASE` as `lower(x) = lower(?)` here, which only an index
-- on `lower(x)` can answer: an outlet on the stories, speakers, utterances and
-- flags listings.
CREATE INDEX articles_by_outlet_any_case ON articles (lower(outlet), story_id);
CREATE INDEX renderings_by_outlet_any_case ON renderings (lower(outlet), utterance_id);
-- The index listings driven from their filter's rows (see SQLite's 28): an outlet's or a date range's
-- articles with their ids, an outlet's flagged renderings, utterances by their first day.
CREATE INDEX articles_by_outlet_any_case_dated ON articles (lower(outlet), published, id);
CREATE INDEX articles_by_published_outlet ON articles (published, outlet, id);
CREATE INDEX renderings_flagged_by_outlet ON renderings (lower(outlet), article_id, flags) WHERE flags <> '[]';
CREATE INDEX utterances_by_first_seen_day ON utterances (first_seen);
