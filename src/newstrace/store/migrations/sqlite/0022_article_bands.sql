-- newstrace schema 22: the band keys of each linked article's MinHash signature (link.duplicates.band_keys:
-- 64 bands of two values at the reuse threshold, each band one signed 64-bit integer), so that the linker
-- finds look-alikes among articles of earlier batches through this index instead of holding every
-- signature and band in memory (about 5 KB an article; 50 GB at 10 million). A database linked before
-- this schema gets its keys from its kept signatures at the start of the next link run.

CREATE TABLE article_bands (
    band       INTEGER NOT NULL,  -- the band's number in the signature
    key        INTEGER NOT NULL,
    article_id TEXT NOT NULL,     -- no foreign key: a lookup joins article_signatures, which cascades
    PRIMARY KEY (band, key, article_id)
) WITHOUT ROWID;
