-- newstrace schema 26: who renders each utterance, so that the trails stage reads a quoted speaker's
-- latest utterances (a ranged read) and the speakers of the few utterances a new quote may join, not
-- every rendering of a busy speaker. One row per utterance, speaker of one of its renderings and that
-- rendering's article language ('' when unknown); `speaks` is 1 on the row of the utterance's earliest
-- rendering with a speaker (by date, then quote id, as the trails stage reads them): the speaker the
-- utterance speaks with. Written by `save_trails` for the utterances it writes, and by the speakers stage
-- for the utterances whose quotes it points at another speaker. Filled here from the stored renderings.
CREATE TABLE utterance_speakers (
    speaker_id   INTEGER NOT NULL,
    language     TEXT NOT NULL,
    utterance_id TEXT NOT NULL REFERENCES utterances(id) ON DELETE CASCADE,
    speaks       INTEGER NOT NULL,
    PRIMARY KEY (speaker_id, language, utterance_id)
) WITHOUT ROWID;
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
