"""Article identity: a stable id from the normalised text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newstrace.identity import article_id, count_words


def test_whitespace_case_and_unicode_form_do_not_change_the_id() -> None:
    assert article_id("NATO chief  warns\r\nof risk") == article_id("nato chief warns of risk ")
    assert article_id("café") == article_id("cafe\u0301")


def test_different_texts_get_different_ids() -> None:
    assert article_id("Holm said yes.") != article_id("Holm said no.")


@given(st.text())
def test_id_is_sixteen_hex_characters_and_deterministic(text: str) -> None:
    identity = article_id(text)
    assert len(identity) == 16 and int(identity, 16) >= 0
    assert identity == article_id(text)


def test_word_count_keeps_contractions_together() -> None:
    assert count_words("NATO's chief didn't say 1,200.") == 6
