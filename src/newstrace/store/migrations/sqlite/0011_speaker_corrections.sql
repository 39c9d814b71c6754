-- newstrace schema 11: each speaker is a person or an organisation, and the corrections a user made
-- with `newstrace speakers merge|split|rename`, applied in order after every automatic resolution so that
-- they survive re-runs and `link --relink`.

ALTER TABLE speakers ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';  -- person | organisation

CREATE TABLE speaker_corrections (
    id      INTEGER PRIMARY KEY,
    action  TEXT NOT NULL,   -- merge | split | rename
    name    TEXT NOT NULL,   -- merge, rename: the speaker corrected; split: the speaker a name leaves
    target  TEXT NOT NULL,   -- merge: the speaker it joins; rename: the new name; split: the name that leaves
    kind    TEXT,            -- rename: person | organisation, when the user gave one
    made_at TEXT NOT NULL
);

DROP VIEW speaker_stats;
CREATE VIEW speaker_stats AS
    SELECT s.id, s.name, s.aliases, s.roles,
           count(q.id) AS n_quotes, count(DISTINCT q.article_id) AS n_articles, s.kind
    FROM speakers s LEFT JOIN quotes q ON q.speaker_id = s.id
    GROUP BY s.id;
