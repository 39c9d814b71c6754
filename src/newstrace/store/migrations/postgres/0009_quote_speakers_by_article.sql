-- newstrace PostgreSQL schema 9 (SQLite's 18): the quotes' speakers by article, in an index that holds
-- both (it replaces the index on the article alone, its prefix), so that a search's speaker facet counts
-- the speakers of its first matches from the index.

CREATE INDEX quotes_speakers_by_article ON quotes(article_id, speaker_id);
DROP INDEX quotes_by_article;
