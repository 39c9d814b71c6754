-- newstrace PostgreSQL schema 5 (SQLite's 14): an article that translates another one (a wire text
-- carried in another language) points to it, with its sentences aligned to the original's.

CREATE TABLE translations (
    article_id        text COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_article_id text COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    similarity        double precision NOT NULL,
    coverage          double precision NOT NULL,
    sentence_pairs    text COLLATE "C" NOT NULL,  -- JSON: [[start, end, source_start, source_end, similarity], ...]
    PRIMARY KEY (article_id, source_article_id)
);
CREATE INDEX translations_by_source ON translations(source_article_id);
