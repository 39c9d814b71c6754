-- newstrace PostgreSQL schema 15: an index on the stories' `rowid` (the order they were first written),
-- so that `link_state` streams them a page at a time (`WHERE rowid > ? ORDER BY rowid LIMIT ?`) without
-- scanning every story for each page. SQLite needs none: its rowid is the table's own key.
CREATE INDEX stories_by_rowid ON stories(rowid);
