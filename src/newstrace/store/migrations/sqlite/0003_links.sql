-- newstrace schema 3: links between articles. Near-duplicates point to the earliest copy, passages
-- reused from another article are aligned in both texts, and articles are grouped into stories that
-- may recur from earlier stories. The clusterer's state (story centroids, document frequencies and
-- MinHash signatures) is kept so a later run continues where this one stopped.

ALTER TABLE articles ADD COLUMN duplicate_reason TEXT;  -- JSON: similarity, gap_days
CREATE INDEX articles_by_story ON articles(story_id);
CREATE INDEX articles_by_duplicate ON articles(duplicate_of);

CREATE TABLE article_signatures (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    minhash    BLOB NOT NULL          -- 128 little-endian uint32 values over 5-word shingles
) WITHOUT ROWID;

CREATE TABLE stories (
    id         TEXT PRIMARY KEY,      -- st_ and the first 16 characters of the opening article's id
    title      TEXT,                  -- the headline of the first article that had one
    first_seen TEXT,                  -- ISO dates of the earliest and latest dated member
    last_seen  TEXT,
    n_articles INTEGER NOT NULL,
    n_outlets  INTEGER NOT NULL,
    state      TEXT NOT NULL          -- JSON: centroid terms and entities, joining similarities
);

CREATE TABLE story_links (
    story_id         TEXT NOT NULL REFERENCES stories(id),
    related_story_id TEXT NOT NULL REFERENCES stories(id),
    relation         TEXT NOT NULL CHECK (relation IN ('recurs')),
    similarity       REAL NOT NULL,
    gap_days         INTEGER NOT NULL,
    evidence         TEXT NOT NULL,   -- JSON: shared entities
    PRIMARY KEY (story_id, related_story_id, relation)
) WITHOUT ROWID;

CREATE TABLE reuse (
    article_id        TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source_article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_start     INTEGER NOT NULL,
    article_end       INTEGER NOT NULL,
    source_start      INTEGER NOT NULL,
    source_end        INTEGER NOT NULL,
    similarity        REAL NOT NULL,
    PRIMARY KEY (article_id, source_article_id, article_start)
) WITHOUT ROWID;
CREATE INDEX reuse_by_source ON reuse(source_article_id);

CREATE TABLE link_frequencies (
    kind TEXT NOT NULL CHECK (kind IN ('term', 'entity')),
    key  TEXT NOT NULL,               -- the empty key holds the number of documents
    df   INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE VIEW duplicate_articles AS
    SELECT id, duplicate_of, duplicate_reason, outlet, published, title, rowid AS rowid
    FROM articles WHERE duplicate_of IS NOT NULL;
