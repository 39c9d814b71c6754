-- newstrace schema 19: the text index holds each article's outlet and language as well as its words, so
-- that words with an outlet or a language are one intersection inside the index. Before, each of the
-- word's matches was asked for its outlet: a common word in one outlet of a million articles took
-- 0.1-1 s to count; in the index, 1-8 ms.
--
-- The outlet and language are tokens of a third column, `facets`: "o" and "l" followed by the hex digits
-- of the value's UTF-8 bytes (`o576972652E`, `l656E`), so any outlet name is one token the tokenizer
-- keeps whole. The search never lets a user's words match that column (store/sqlite.py: a word that could
-- be such a token is asked of the title and text only), and its rank gives the column no weight.
-- The index reads its rows from the view below; the triggers write each article's tokens into it.

DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;

CREATE VIEW articles_fts_content AS
    SELECT rowid AS article_rowid, title, text, 'o' || hex(outlet) || ' l' || hex(language) AS facets
    FROM articles;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, facets, content='articles_fts_content', content_rowid='article_rowid',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text, facets)
    VALUES (new.rowid, new.title, new.text, 'o' || hex(new.outlet) || ' l' || hex(new.language));
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text, facets)
    VALUES ('delete', old.rowid, old.title, old.text, 'o' || hex(old.outlet) || ' l' || hex(old.language));
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, outlet, language ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text, facets)
    VALUES ('delete', old.rowid, old.title, old.text, 'o' || hex(old.outlet) || ' l' || hex(old.language));
    INSERT INTO articles_fts(rowid, title, text, facets)
    VALUES (new.rowid, new.title, new.text, 'o' || hex(new.outlet) || ' l' || hex(new.language));
END;
