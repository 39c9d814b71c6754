-- newstrace schema 14: an article that translates another one (a wire text carried in another language)
-- points to it, with its sentences aligned to the original's (link/crosslingual.py).

CREATE TABLE translations (
    article_id        TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,  -- the translation
    source_article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,  -- the original
    similarity        REAL NOT NULL,   -- mean cross-language similarity of the aligned sentence pairs
    coverage          REAL NOT NULL,   -- share of the longer text's sentences in a pair
    sentence_pairs    TEXT NOT NULL,   -- JSON: [[start, end, source_start, source_end, similarity], ...]
    PRIMARY KEY (article_id, source_article_id)
) WITHOUT ROWID;
CREATE INDEX translations_by_source ON translations(source_article_id);
