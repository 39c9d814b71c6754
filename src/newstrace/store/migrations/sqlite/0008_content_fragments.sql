-- newstrace schema 8: a quote's content can come in pieces (`"A," she said, "B."`). Each quote lists
-- them as a JSON array of [start, end] pairs in text order; quotes stored before hold one piece.

ALTER TABLE quotes ADD COLUMN content_fragments TEXT NOT NULL DEFAULT '[]';
UPDATE quotes SET content_fragments = json_array(json_array(content_start, content_end));
