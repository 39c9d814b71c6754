-- newstrace PostgreSQL schema 12 (SQLite's 22): the band keys of each linked article's MinHash signature
-- (link.duplicates.band_keys: 64 bands of two values at the reuse threshold, each band one signed 64-bit
-- integer), so that the linker finds look-alikes among articles of earlier batches through this index
-- instead of holding every signature and band in memory. A database linked before this schema gets its
-- keys from its kept signatures at the start of the next link run.

CREATE TABLE article_bands (
    band       smallint NOT NULL,
    key        bigint NOT NULL,
    article_id text COLLATE "C" NOT NULL,  -- no foreign key: a lookup joins article_signatures, which cascades
    PRIMARY KEY (band, key, article_id)
);
