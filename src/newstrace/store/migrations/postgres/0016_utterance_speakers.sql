-- newstrace PostgreSQL schema 16 (SQLite's 26): who renders each utterance, so that the trails stage
-- reads a quoted speaker's latest utterances (a ranged read) and the speakers of the few utterances a new
-- quote may join, not every rendering of a busy speaker. One row per utterance, speaker of one of its
-- renderings and that rendering's article language ('' when unknown); `speaks` is 1 on the row of the
-- utterance's earliest rendering with a speaker (by date, then quote id): the speaker the utterance speaks
-- with. Written by `save_trails` and by the speakers stage; filled here from the stored renderings.
CREATE TABLE utterance_speakers (
    speaker_id   bigint NOT NULL,
    language     text COLLATE "C" NOT NULL,
    utterance_id text COLLATE "C" NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
    speaks       smallint NOT NULL,
    PRIMARY KEY (speaker_id, language, utterance_id)
);
CREATE INDEX utterance_speakers_by_utterance ON utterance_speakers(utterance_id);
CREATE INDEX utterance_speakers_spoken ON utterance_speakers(speaker_id, utterance_id) WHERE speaks = 1;

INSERT INTO utterance_speakers(speaker_id, language, utterance_id, speaks)
SELECT speaker_id, language, utterance_id, max(earliest) FROM (
    SELECT q.speaker_id, COALESCE(a.language, '') AS language, r.utterance_id,
           CASE WHEN row_number() OVER (
               PARTITION BY r.utterance_id ORDER BY a.published IS NULL, a.published, q.id
           ) = 1 THEN 1 ELSE 0 END AS earliest
    FROM renderings r JOIN quotes q ON q.id = r.quote_id JOIN articles a ON a.id = q.article_id
    WHERE q.speaker_id IS NOT NULL
) AS rendered GROUP BY speaker_id, language, utterance_id;
