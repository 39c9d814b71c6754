-- newstrace schema 13: indexes for the web app's pages at a million articles (benchmarks/serve_load.py).
-- Each lets a page read its first rows in order instead of sorting a whole table.

-- an outlet's articles newest first (search by outlet), and an outlet's first and last article (outlets)
CREATE INDEX articles_by_outlet_published ON articles(outlet, published);
-- a language's articles newest first and counted (search by language)
CREATE INDEX articles_by_language_published ON articles(language, published);
-- articles named by id (a speaker's, a flag's) put newest first without reading their rows
CREATE INDEX articles_by_id_published ON articles(id, published);
-- the stories listing by coverage and by date
CREATE INDEX stories_by_coverage ON stories(n_outlets DESC, n_articles DESC, id);
CREATE INDEX stories_by_last_seen ON stories((last_seen IS NULL), last_seen DESC, id);
-- the utterances listing by renderings and by date
CREATE INDEX utterances_by_renderings ON utterances(n_renderings DESC, n_outlets DESC, id);
CREATE INDEX utterances_by_first_seen ON utterances((first_seen IS NULL), first_seen DESC, id);
-- the flags listing and the flag facet read only the renderings that carry a flag
CREATE INDEX renderings_flagged ON renderings(article_id) WHERE flags <> '[]';
-- the articles with a rendering of each checked flag (search by flag): the search repeats these conditions
CREATE INDEX renderings_altered ON renderings(article_id) WHERE flags LIKE '%"altered_direct_quote"%';
CREATE INDEX renderings_speaker_changed ON renderings(article_id) WHERE flags LIKE '%"speaker_changed"%';
CREATE INDEX renderings_translated ON renderings(article_id) WHERE flags LIKE '%"translated"%';
