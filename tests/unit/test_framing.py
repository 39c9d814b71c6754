"""The framing lexicon (loading, validation, extending) and marker finding, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.framing.lexicon import LexiconError, load_lexicon
from newstrace.framing.markers import QuoteCue, attribution_markers, find_markers, inflections


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_lexicon_loads_and_knows_the_common_markers() -> None:
    lexicon = load_lexicon()
    names = {referent.name: referent for referent in lexicon.referents}
    assert "Kiev" in names["Kyiv"].naming and "military bloc" in names["NATO"].labels
    assert lexicon.stance_of_verb()["claim"] == "distancing" and lexicon.stance_of_verb()["say"] == "neutral"


def test_names_and_labels_are_found_with_offsets_ignoring_case_and_line_breaks() -> None:
    text = "The US-led military bloc met in Kiev.\nThe Military\nBloc, Kyiv said."
    found = [(m.marker, m.category, m.referent, text[m.start : m.end]) for m in find_markers(text, load_lexicon())]
    assert ("US-led military bloc", "label", "NATO", "US-led military bloc") in found
    assert ("military bloc", "label", "NATO", "Military\nBloc") in found
    assert ("Kiev", "naming", "Kyiv", "Kiev") in found and ("Kyiv", "naming", "Kyiv", "Kyiv") in found
    assert not any(marker == "military bloc" and start == "US-led military bloc" for marker, _, _, start in found)


def test_phrases_inside_longer_words_are_not_markers() -> None:
    assert find_markers("Kievan Rus and NATOs", load_lexicon()) == []


@pytest.mark.parametrize(
    ("cue", "verb", "stance"),
    [
        ("claimed", "claim", "distancing"),
        ("has repeatedly claimed", "claim", "distancing"),
        ("stated", "state", "neutral"),
        ("told", "tell", "neutral"),
        ("pointed out", "point out", "endorsing"),
        ("admitted", "admit", "endorsing"),
        ("according to", "according to", "neutral"),
        ("said in a statement", "say", "neutral"),
        ("insists", "insist", "distancing"),
    ],
)
def test_reporting_verbs_get_their_stance_in_any_inflection(cue: str, verb: str, stance: str) -> None:
    [marker] = attribution_markers([QuoteCue("q1", "Jens Stoltenberg", cue, 10, 10 + len(cue))], load_lexicon())
    assert (marker.marker, marker.category, marker.referent, marker.quote_id) == (
        verb,
        stance,
        "Jens Stoltenberg",
        "q1",
    )


def test_cues_the_lexicon_does_not_know_are_left_unclassified() -> None:
    assert attribution_markers([QuoteCue("q1", None, "whispered", 0, 9)], load_lexicon()) == []


def test_inflections_cover_regular_and_doubling_verbs() -> None:
    assert {"admit", "admits", "admitted", "admitting"} <= inflections("admit")
    assert {"reply", "replies", "replied", "replying"} <= inflections("reply")
    assert {"note", "notes", "noted", "noting"} <= inflections("note")


def test_a_file_extending_the_default_adds_referents_and_takes_over_phrases(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'extends = "default"\n[[referent]]\nname = "Velmora Pact"\nlabels = ["military bloc"]\n'
        '[attribution]\nneutral = ["claim"]\n',
    )
    lexicon = load_lexicon(path)
    names = {referent.name: referent for referent in lexicon.referents}
    assert "military bloc" not in names["NATO"].labels and names["Velmora Pact"].labels == ("military bloc",)
    assert lexicon.stance_of_verb()["claim"] == "neutral" and "Kyiv" in names
    assert lexicon.digest != load_lexicon().digest


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("referent = 3", "must be an array of tables"),
        ("[[referent]]\nnaming = ['x']", "needs a non-empty 'name'"),
        ("[[referent]]\nname = 'X'", "at least one phrase"),
        ("[[referent]]\nname = 'X'\nnaming = [1]", "list of non-empty strings"),
        ("[[referent]]\nname = 'X'\nnames = ['x']", "unknown key(s) names"),
        ("[attribution]\nskeptical = ['doubt']", "unknown stance(s) skeptical"),
        ("[attribution]\nneutral = ['say']\ndistancing = ['say']", "both neutral and distancing"),
        ("version = 2", "version 2 is not supported"),
        ("extends = 'mine'", 'the only value allowed is "default"'),
        ("[[referent]]\nname = 'X'\nnaming = ['x']\n[[referent]]\nname = 'X'\nlabels = ['y']", "given twice: X"),
        ("[[referent]\nname = 'X'", "not valid TOML"),
    ],
)
def test_bad_lexicons_are_refused_naming_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(LexiconError) as raised:
        load_lexicon(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_a_missing_lexicon_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read the lexicon"):
        load_lexicon(tmp_path / "nope.toml")


# -- other languages (fictional sentences) ----------------------------------------------------------


def _found(text: str, language: str | None) -> list[tuple[str | None, str, str]]:
    return [(m.referent, m.category, m.text) for m in find_markers(text, load_lexicon(), language)]


def test_each_language_has_its_own_forms_of_one_referent() -> None:
    lexicon = load_lexicon()
    kyiv = next(referent for referent in lexicon.referents if referent.name == "Kyiv")
    forms = {language: kyiv.forms(language).naming[0] for language in ("en", "ru", "uk", "pl", "de")}
    assert forms == {"en": "Kyiv", "ru": "Киев", "uk": "Київ", "pl": "Kijów", "de": "Kiew"}
    assert set(lexicon.attribution_languages) == {"ru", "uk", "de", "fr", "es", "it", "pl"}
    for referent in ("Kyiv", "NATO", "the war in Ukraine"):
        found = next(r for r in lexicon.referents if r.name == referent)
        assert {language for language, _ in found.languages} == {"ru", "uk", "de", "fr", "es", "it", "pl"}


def test_russian_names_and_labels_are_found_in_russian_text() -> None:
    text = "В Киеве заявили, что киевский режим продолжит спецоперацию? Нет: СВО и вторжение — разные слова."
    found = _found(text, "ru")
    assert ("Kyiv", "naming", "Киеве") in found
    assert ("the government of Ukraine", "label", "киевский режим") in found
    assert {("the war in Ukraine", "label", word) for word in ("спецоперацию", "СВО", "вторжение")} <= set(found)


def test_english_forms_are_not_matched_in_other_languages_unless_the_same_word_there() -> None:
    german = "Die Nato-Minister trafen sich in Kiew; ein Kiev-Café gab es auch."
    assert _found(german, "de") == [("NATO", "naming", "Nato"), ("Kyiv", "naming", "Kiew")]
    polish = "Sekretarz generalny NATO przyjechał do Kijowa."
    assert _found(polish, "pl") == [("NATO", "naming", "NATO"), ("Kyiv", "naming", "Kijowa")]
    assert _found("Ministers met in Kiev.", None) == [("Kyiv", "naming", "Kiev")]  # unknown language: English
    assert _found("Ministros reunidos en Lisboa.", "pt") == []  # a language the lexicon has no forms for


def test_reporting_verbs_take_their_stance_in_each_language() -> None:
    cues = [
        QuoteCue("q1", "Песков", "утверждает", 0, 10),
        QuoteCue("q2", "Песков", "заявил", 20, 26),
        QuoteCue("q3", "Stoltenberg", "a-t-il souligné", 30, 45),
    ]
    russian = attribution_markers(cues[:2], load_lexicon(), "ru")
    assert [(m.marker, m.category) for m in russian] == [("утверждает", "distancing"), ("заявил", "neutral")]
    french = attribution_markers(cues[2:], load_lexicon(), "fr")
    assert [(m.marker, m.category) for m in french] == [("souligné", "endorsing")]
    assert attribution_markers(cues[:1], load_lexicon(), "en") == []


def test_a_language_section_is_checked_and_extends_the_default(tmp_path: Path) -> None:
    own = _write(
        tmp_path,
        'extends = "default"\n[[referent]]\nname = "Velmora"\nlanguages.ru = { naming = ["Вельмор*"] }\n'
        '[attribution.languages.ru]\ndistancing = ["заявил"]\n',
    )
    lexicon = load_lexicon(own)
    assert lexicon.stance_of_verb("ru")["заявил"] == "distancing"  # moved from the default's neutral
    assert lexicon.stance_of_verb("ru")["отметил"] == "endorsing"
    assert [
        m.text for m in find_markers("Порт Вельморы и вельморский флот", lexicon, "ru") if m.referent == "Velmora"
    ] == [
        "Вельморы",
        "вельморский",
    ]  # a trailing * matches any ending
    bad = _write(tmp_path, '[[referent]]\nname = "X"\nlanguages.russian = { naming = ["X"] }\n')
    with pytest.raises(LexiconError, match=r"lexicon.toml.*'russian' is not a language code"):
        load_lexicon(bad)
    english = _write(tmp_path, '[attribution.languages.en]\nneutral = ["say"]\n')
    with pytest.raises(LexiconError, match="English goes at the top level"):
        load_lexicon(english)
