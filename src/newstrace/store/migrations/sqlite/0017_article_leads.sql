-- newstrace schema 17: the lead (title and first paragraph) of each linked article whose date and
-- language are known, as the cross-language linker compares it (link/crosslingual.py), so that an article
-- in another language linked by a later run still finds the story of the same event.

CREATE TABLE article_leads (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    lead       TEXT NOT NULL
) WITHOUT ROWID;
