-- newstrace PostgreSQL schema 8 (SQLite's 17): the lead (title and first paragraph) of each linked
-- article whose date and language are known, as the cross-language linker compares it, so that an
-- article in another language linked by a later run still finds the story of the same event.

CREATE TABLE article_leads (
    article_id text COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    lead       text COLLATE "C" NOT NULL
);
