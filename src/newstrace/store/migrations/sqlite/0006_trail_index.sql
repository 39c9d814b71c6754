-- newstrace schema 6: find the later utterances of a claim without scanning them all.

CREATE INDEX utterances_by_recurs_from ON utterances(recurs_from);
