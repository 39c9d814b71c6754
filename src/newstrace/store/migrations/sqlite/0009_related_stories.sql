-- newstrace schema 9: besides `recurs`, a story can be `related` to a neighbouring story it resembles
-- but does not belong to (another event of the same week, a reaction told as its own story). SQLite
-- cannot change a CHECK constraint in place, so the table is built again with its rows.

CREATE TABLE story_links_9 (
    story_id         TEXT NOT NULL REFERENCES stories(id),
    related_story_id TEXT NOT NULL REFERENCES stories(id),
    relation         TEXT NOT NULL CHECK (relation IN ('recurs', 'related')),
    similarity       REAL NOT NULL,
    gap_days         INTEGER NOT NULL,
    evidence         TEXT NOT NULL,   -- JSON: shared entities
    PRIMARY KEY (story_id, related_story_id, relation)
) WITHOUT ROWID;

INSERT INTO story_links_9 SELECT * FROM story_links;
DROP TABLE story_links;
ALTER TABLE story_links_9 RENAME TO story_links;
