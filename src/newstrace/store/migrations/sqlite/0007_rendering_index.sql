-- newstrace schema 7: find the renderings an article carries (story pages) without scanning them all.

CREATE INDEX renderings_by_article ON renderings(article_id);
