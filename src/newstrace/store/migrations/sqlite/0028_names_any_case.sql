-- newstrace schema 28: indexes for the filters that compare a name in any case (`= ? COLLATE NOCASE`):
-- an outlet on the stories, speakers, utterances and
-- flags listings. An index on the plain column cannot answer a NOCASE comparison, so each of these read
-- every row: at a million articles a stories listing filtered by outlet took 2 s.
CREATE INDEX articles_by_outlet_any_case ON articles(outlet COLLATE NOCASE, story_id);
CREATE INDEX renderings_by_outlet_any_case ON renderings(outlet COLLATE NOCASE, utterance_id);
-- The index listings driven from their filter's rows rather than walked whole (store/sql.py,
-- `_planned_listing`): the speakers of an outlet's or a date range's articles read each article's id from
-- the index alone (a million articles do not fit a shared page cache: a row read is a disk read), and
-- the flagged renderings of an outlet are found among the 170,000 flagged of a million renderings.
CREATE INDEX articles_by_outlet_any_case_dated ON articles(outlet COLLATE NOCASE, published, id);
CREATE INDEX articles_by_published_outlet ON articles(published, outlet, id);
CREATE INDEX renderings_flagged_by_outlet ON renderings(outlet COLLATE NOCASE, article_id, flags) WHERE flags <> '[]';
CREATE INDEX utterances_by_first_seen_day ON utterances(first_seen);
