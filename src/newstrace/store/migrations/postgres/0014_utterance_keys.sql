-- newstrace PostgreSQL schema 14 (SQLite's 24): the content keys of each utterance's renderings
-- (`link.trails.content_keys`), so that the trails stage reads only the utterances a new quote may join
-- (the latest of those that share a key with it, by id), not every stored utterance. Written with the
-- utterance by `save_trails`.
CREATE TABLE utterance_keys (
    key          text COLLATE "C" NOT NULL,
    utterance_id text COLLATE "C" NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
    PRIMARY KEY (key, utterance_id)
);
CREATE INDEX utterance_keys_by_utterance ON utterance_keys(utterance_id);
