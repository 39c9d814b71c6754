"""The PostgreSQL store's parts that need no server: opening errors, the SQL rewrites and the search
index's words. The behaviour on a server is in tests/contract."""

from __future__ import annotations

import socket
import sqlite3
import sys

import pytest

from newstrace.store import StoreError, open_store
from newstrace.store.postgres import display_url, search_vector, translate, tsquery
from newstrace.store.query import parse_query, search_words


def test_a_missing_psycopg_is_named_with_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what `import psycopg` meets when it is not installed
    with pytest.raises(StoreError, match=r"pip install 'newstrace\[postgres\]'"):
        open_store("postgresql://reader@127.0.0.1/news")


def test_a_server_that_does_not_answer_is_one_error_without_the_password() -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match="cannot connect") as raised:
        open_store(f"postgresql://reader:s3cret@127.0.0.1:{port}/news?connect_timeout=5")
    assert "s3cret" not in str(raised.value) and f"reader@127.0.0.1:{port}/news" in str(raised.value)


def test_the_url_in_messages_has_no_password() -> None:
    assert display_url("postgresql://me:pa:ss@db.example:5433/news") == "postgresql://me@db.example:5433/news"
    assert display_url("postgresql://me@db.example/news") == "postgresql://me@db.example/news"
    assert display_url("news.db") == "news.db"


def test_the_shared_sql_is_rewritten_for_postgresql() -> None:
    assert translate("SELECT 1 FROM t WHERE a.outlet = ? COLLATE NOCASE AND b LIKE ? ESCAPE '\\'") == (
        "SELECT 1 FROM t WHERE lower(a.outlet) = lower(%s COLLATE \"C\") AND b ILIKE %s ESCAPE '\\'"
    )
    assert translate("SELECT 1 FROM json_each(r.flags) WHERE value = ?") == (
        "SELECT 1 FROM json_array_elements_text(r.flags::json) AS json_each(value) WHERE value = %s"
    )
    assert translate("SELECT '100%' ORDER BY a.outlet COLLATE NOCASE") == "SELECT '100%%' ORDER BY lower(a.outlet)"


def test_search_words_are_the_words_fts5_indexes() -> None:
    text = (
        "Café-owner's RÉSUMÉ, naïve_word 2024 Ünïcödé Straße İstanbul Łódź Ørsted "
        "Москва́ 東京都 x² ½ ǅ Ἀθῆναι ﬁsh Ａｂｃ"
    )
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    connection.execute("CREATE VIRTUAL TABLE words USING fts5vocab(t, 'row')")
    connection.execute("INSERT INTO t VALUES (?)", (text,))
    assert set(search_words(text)) == {row[0] for row in connection.execute("SELECT term FROM words")}
    assert search_words("Café RÉSUMÉ") == ["cafe", "resume"]


def test_the_title_and_the_text_are_one_position_apart() -> None:
    assert search_vector("Harbour closes", "The harbour") == "'harbour':1,5 'closes':2 'the':4"


def test_a_query_becomes_a_tsquery_that_never_carries_what_was_typed_as_syntax() -> None:
    assert tsquery(parse_query('holm "greatest risk" & !x:* (y) -z')) == (
        "(('holm')) & (('greatest' <-> 'risk')) & (('x':*)) & (('y')) & !('z')"
    )
    assert tsquery(parse_query("storm OR flood harb*")) == "(('storm') | ('flood')) & (('harb':*))"
    assert not parse_query("''' & | !")
