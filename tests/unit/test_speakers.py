"""Who speaks, resolved by evidence (issue 18, must-have 3). The sentences are fictional, written for
these tests; the names are public figures' only where the case needs two people of one surname."""

from __future__ import annotations

from typing import Any

import pytest

from newstrace.link.speakers import link_speakers, role_in
from newstrace.nlp import load_pipeline
from newstrace.nlp.quotes import extract_quotes


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_pipeline()


def _speakers(nlp: Any, text: str) -> list[str | None]:
    return [quote.speaker for quote in extract_quotes(nlp(text))]


def test_epithets_and_possessives_are_no_part_of_a_name(nlp: Any) -> None:
    text = "Hillary Clinton spoke in Iowa on Monday.\n\n“She is a disaster,” said Crooked Hillary Clinton at a rally."
    assert _speakers(nlp, text) == ["Hillary Clinton"]


def test_an_appositive_names_the_speaker_not_the_person_inside_it(nlp: Any) -> None:
    text = "“We will watch closely,” Dmitry Peskov, Russian President Vladimir Putin's spokesman, told reporters."
    assert _speakers(nlp, text) == ["Dmitry Peskov"]


def test_people_who_share_a_surname_stay_apart(nlp: Any) -> None:
    clintons = (
        "Bill Clinton spoke in Ohio on Sunday. “We need jobs,” Clinton said. Hillary Clinton was in Iowa. "
        "“We will win,” Hillary Clinton said."
    )
    assert _speakers(nlp, clintons) == ["Bill Clinton", "Hillary Clinton"]
    trumps = (
        "Donald Trump Jr. spoke first. “My father will win,” Donald Trump Jr. said. Then Donald Trump spoke. "
        "“I will win,” Trump said."
    )
    assert _speakers(nlp, trumps) == ["Donald Trump Jr.", "Donald Trump"]
    speakers, _ = link_speakers([("Hillary Clinton", "Hillary Clinton"), ("Hillary Clinton", "Bill Clinton")])
    assert [speaker.aliases for speaker in speakers] == [()]  # Bill Clinton is nobody's alias of Hillary


def test_a_place_speaks_only_as_its_government(nlp: Any) -> None:
    text = "LOS ANGELES (AP) — Beaches stay closed. “The tolls will rise,” Washington said on Monday."
    assert "LOS ANGELES" not in _speakers(nlp, text)
    assert "Washington" in _speakers(nlp, text)


def test_a_joint_statement_speaks_as_itself(nlp: Any) -> None:
    text = (
        "Jens Stoltenberg opened the meeting in Brussels on Tuesday.\n\n"
        "A joint statement signed by several NATO members and Ukraine said that the allies will send more air "
        "defence systems before the winter."
    )
    [speaker] = _speakers(nlp, text)
    assert speaker is not None and speaker.startswith("Joint statement")


def test_i_speaks_only_for_someone_the_text_names(nlp: Any) -> None:
    text = (
        "Anneke Holm chaired the harbour board until May.\n\n" + "The board met again on Friday. " * 12 + "\n\n"
        "I said that the tolls will rise next year, and we will not back down."
    )
    assert _speakers(nlp, text)[-1] is None


def test_roles_are_titles() -> None:
    assert role_in("The Jens Stoltenberg", "Jens Stoltenberg") is None
    assert role_in("Vladimir Putin's Dmitry Peskov", "Dmitry Peskov") is None
    assert role_in("NATO Secretary General Jens Stoltenberg", "Jens Stoltenberg") == "NATO Secretary General"
