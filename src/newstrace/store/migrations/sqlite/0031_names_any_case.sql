-- newstrace schema 31: indexes for the filters that compare a name in any case (`= ? COLLATE NOCASE`):
-- an outlet on the stories, speakers, utterances and
-- flags listings. An index on the plain column cannot answer a NOCASE comparison, so each of these read
-- every row: at a million articles a stories listing filtered by outlet took 2 s.
CREATE INDEX articles_by_outlet_any_case ON articles(outlet COLLATE NOCASE, story_id);
CREATE INDEX renderings_by_outlet_any_case ON renderings(outlet COLLATE NOCASE, utterance_id);
