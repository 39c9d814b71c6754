"""Events (issue 21): PLOVER types, actor resolution, the extraction, the stage in `analyze`, the CLI and
the scorer. Sentences written here are fictional and marked so."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newstrace.evaluation.events import GoldRecord, Prediction, actor_matches, error_rows, load_gold, score
from newstrace.events.actors import Actor, find_actor, sector_only
from newstrace.events.agent_dictionary import DICTIONARY_VARIABLE, agent_sectors
from newstrace.events.dates import resolve_event_date
from newstrace.events.types import current_type, single_category
from newstrace.nlp import load_pipeline
from newstrace.nlp.events import EVENTS_STAGE_VERSION, extract_event_mentions
from newstrace.store import open_store

from ..conftest import accuracy_floors, run_cli


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


def test_the_stage_version_fits_postgresqls_integer_column() -> None:
    assert 0 < EVENTS_STAGE_VERSION < 2**31


def test_old_type_names_read_as_the_manual_maps_them() -> None:
    assert [current_type(name) for name in ("DEMAND", "DISAPPROVE", "FIGHT", "aid")] == [
        "REQUEST", "ACCUSE", "ASSAULT", "AID",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not a PLOVER event type"):
        current_type("HUG")


def test_future_cooperation_is_one_agree_category() -> None:
    assert single_category("AID", "future") == "AGREE"
    assert single_category("RETREAT", "future") == "CONCEDE"
    assert single_category("AID", None) == "AID"


@pytest.mark.parametrize(
    ("phrase", "code", "sector"),
    [
        ("Washington", "USA", "GOV"),
        ("the Kremlin", "RUS", "GOV"),
        ("Kyiv", "UKR", "GOV"),
        ("Kiev", "UKR", "GOV"),
        ("the US-led military bloc", "NATO", None),
        ("a Moldovan army commander", "MDA", "MIL"),
        ("Italy", "ITA", None),
        # a named body no table knows, by the word heading its name (fictional): a non-governmental one
        ("the Harbour Workers Federation", "NGO", None),
        ("the Lindqvist Foundation", "NGO", None),
    ],
)
def test_actors_resolve_to_codes_and_sectors(phrase: str, code: str, sector: str | None) -> None:
    actor = find_actor(phrase)
    assert actor is not None and (actor.code, actor.sector) == (code, sector)


def test_a_lower_case_us_is_no_country() -> None:
    assert find_actor("told us") is None


def test_an_organisation_word_alone_or_after_a_country_names_no_ngo() -> None:
    assert find_actor("a regional forum") is None and find_actor("the Federation") is None
    assert find_actor("the Chilean Mining Association").code == "CHL"  # type: ignore[union-attr]


def test_coordinated_actors_split_and_a_pledge_is_an_intention(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Norway, Chile and Ghana will each donate a field hospital to Nepal."  # fictional
    mentions = extract_event_mentions(nlp(text), "a", 0)
    assert [(m.source_code, m.target_code, m.event_type, m.auxiliary) for m in mentions] == [
        ("NOR", "NPL", "AID", "future"), ("CHL", "NPL", "AID", "future"), ("GHA", "NPL", "AID", "future"),
    ]  # fmt: skip
    assert {m.object_text for m in mentions} == {"a field hospital"}
    first = mentions[0]
    assert text[first.trigger_start : first.trigger_end] == "donate"


def test_a_request_governs_the_action_it_asks_for(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Peru urged Bolivia to release the fishermen."  # fictional
    mentions = extract_event_mentions(nlp(text), "a", 10)
    assert [(m.event_type, m.source_code, m.target_code) for m in mentions] == [("REQUEST", "PER", "BOL")]
    assert mentions[0].trigger_start == 10 + text.index("urged")


def test_a_person_keeps_the_country_first_named_with_them(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Chilean Foreign Minister Ana Ruiz met Peruvian officials. Later, Ruiz condemned Bolivia."  # fictional
    mentions = extract_event_mentions(nlp(text), "a", 0)
    condemn = next(m for m in mentions if m.trigger_text == "condemned")
    assert (condemn.event_type, condemn.source_code, condemn.target_code) == ("ACCUSE", "CHL", "BOL")


def test_the_rt_seed(shared_data: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    text = next((shared_data / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    mentions = extract_event_mentions(nlp(text), "seed", 0)
    aid = {(m.source_code, m.target_code, m.auxiliary, m.object_text) for m in mentions if m.event_type == "AID"}
    for donor in ("USA", "DEU", "ROU"):
        assert (donor, "UKR", "future", "a new Patriot battery") in aid
    assert ("NLD", "UKR", "future", "components") in aid
    assert ("ITA", "UKR", "future", "an additional SAMP-T system") in aid
    washington = [m for m in mentions if m.source_text == "Washington" and m.event_type == "AID"]
    assert washington and washington[0].target_code == "UKR" and "air-defense" in (washington[0].object_text or "")
    peskov = text.index("Kremlin spokesman Dmitry Peskov")
    assert find_actor(text[peskov : peskov + len("Kremlin spokesman Dmitry Peskov")]).code == "RUS"  # type: ignore[union-attr]


def test_analyze_stores_mentions_and_the_cli_filters_them(tmp_path: Path) -> None:
    """Two reports of Fiji's shipment (fictional) are one event with two reports, listed once."""
    for name, text in (
        ("first.txt", "Tonga talks\n\nFiji will send medical supplies to Tonga. Samoa condemned Tonga.\n"),
        ("second.txt", "Tonga talks\n\nFiji will send medical supplies to Tonga. Samoa condemned Tonga again.\n"),
    ):
        (tmp_path / name).write_text(text)
    db = tmp_path / "news.db"
    assert run_cli("analyze", str(tmp_path), "--db", str(db), "--quiet").returncode == 0
    result = run_cli("events", "--db", str(db), "--type", "AID", "--actor", "TON", "--json")
    assert result.returncode == 0, result.stderr
    [event] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (event["actor_code"], event["recipient_code"], event["event_object"]) == ("FJI", "TON", "medical supplies")
    assert (event["n_mentions"], event["n_articles"], event["event_auxiliary"]) == (2, 2, "future")
    mentions = run_cli("events", "--db", str(db), "--type", "AID", "--mentions", "--json")
    rows = [json.loads(line) for line in mentions.stdout.splitlines()]
    assert [(row["source_code"], row["target_code"], row["event_id"]) for row in rows] == [
        ("FJI", "TON", event["event_id"])
    ] * 2
    assert sorted(event["mention_ids"]) == sorted(row["id"] for row in rows)
    assert "medical supplies" in run_cli("events", "--db", str(db)).stdout
    # relinking forgets the events with the stories, and groups them again
    assert run_cli("link", "--db", str(db), "--relink", "--quiet").returncode == 0
    again = run_cli("events", "--db", str(db), "--type", "AID", "--json")
    assert [json.loads(line)["n_articles"] for line in again.stdout.splitlines()] == [2]
    bad = run_cli("events", "--db", str(db), "--type", "HUG")
    assert bad.returncode != 0 and "not a PLOVER event type" in bad.stderr
    # like every read command: newstrace.db by default, and a day that cannot be one is refused, not unmatched
    (tmp_path / "default").mkdir()
    shutil.copy(db, tmp_path / "default" / "newstrace.db")
    assert "medical supplies" in run_cli("events", "--json", cwd=tmp_path / "default").stdout
    for dates, said in (
        (["--from", "2024-13-01"], "'2024-13-01' is not a day written YYYY-MM-DD"),
        (["--to", "20240710"], "'20240710' is not a day written YYYY-MM-DD"),
        (["--from", "2024-07-10", "--to", "2024-07-09"], "--from (2024-07-10) is after --to (2024-07-09)"),
    ):
        refused = run_cli("events", "--db", str(db), *dates)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
    none = run_cli("events", "--db", str(db), "--type", "THREATEN")
    assert none.returncode == 0 and none.stdout == "" and none.stderr == "no events\n"
    missing = run_cli("events", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and "no such database" in missing.stderr


def test_in_80_columns_each_event_is_a_block_of_text_with_its_dates_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nine columns in 80 cut the dates and types ('2025-…', 'THREA…'): a narrow terminal lists each event
    as two lines instead; a wide one keeps the table. Fictional row (0.01 s)."""
    from newstrace.cli import events as events_cli

    row: dict[str, object] = {
        "event_date": "2024-07-09", "event_type": "AID", "event_mode": None, "event_auxiliary": "future",
        "actor_code": "FJI", "actor_name": "Fiji", "recipient_code": "TON", "recipient_name": "Tonga",
        "event_object": "medical supplies for the hospitals of the outer islands", "n_articles": 2,
        "n_outlets": 1, "first_reported": "2024-07-10",
    }  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    events_cli._print_events([row])
    narrow = capsys.readouterr().out
    assert "2024-07-09 · AID (future) · 2 reports in 1 outlet, first 2024-07-10" in narrow
    assert "FJI → TON: medical supplies for the hospitals of the outer islands" in narrow and "…" not in narrow
    monkeypatch.setenv("COLUMNS", "200")
    events_cli._print_events([row])
    assert "first report" in capsys.readouterr().out  # the table's heading


def test_a_name_in_wide_characters_is_measured_in_terminal_cells(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CJK character takes two columns of a terminal: counted as one, the table seemed to fit 96 columns and
    rich cut the name and the date to fit ('大韓民国 …', '2024-07-…'). Fictional row (0.01 s)."""
    from newstrace.cli import events as events_cli

    row: dict[str, object] = {
        "event_date": "2024-07-09", "event_type": "AID", "event_mode": None, "event_auxiliary": None,
        "actor_code": None, "actor_name": "大韓民国外交部", "recipient_code": "TON", "recipient_name": "Tonga",
        "event_object": "supplies", "n_articles": 2, "n_outlets": 1, "first_reported": "2024-07-10",
    }  # fmt: skip
    monkeypatch.setenv("COLUMNS", "96")
    events_cli._print_events([row])
    printed = capsys.readouterr().out
    assert "大韓民国外交部 → TON: supplies" in printed and "…" not in printed, printed


@pytest.mark.parametrize("day", ["2024-W28-3", "20240710", "2024-07-10T00"])
def test_a_day_python_reads_in_another_form_than_yyyy_mm_dd_is_refused(day: str) -> None:
    """`date.fromisoformat` reads the week date 2024-W28-3 (ten characters, as YYYY-MM-DD) as 2024-07-10; kept
    as written, it was compared with the events' YYYY-MM-DD dates and listed the wrong days, silently (0.01 s)."""
    import click

    from newstrace.cli import events as events_cli

    with pytest.raises(click.BadParameter, match="is not a day written YYYY-MM-DD"):
        events_cli._day_option(click.Context(events_cli.events_command), click.Option(["--from"]), day)
    assert events_cli._day_option(click.Context(events_cli.events_command), click.Option(["--from"]), "2024-07-10")


def test_scores_count_types_and_actors() -> None:
    records = [
        GoldRecord("1", "fictional", "AID", ("USA",), ("UKR",)),
        GoldRecord("2", "fictional", "ACCUSE", ("IGO",), ()),
    ]
    predictions = [
        Prediction("AID", ("USA", "country"), ("RUS", "country")),
        Prediction("REJECT", ("NATO", "IGO"), (None, None)),
    ]
    scores = score(records, predictions)
    assert scores.accuracy[0] == 0.5
    assert scores.source_accuracy[0] == 1.0
    assert scores.target_accuracy[0] == 0.0  # only records with a gold recipient count
    assert scores.per_type_f1 == {"ACCUSE": 0.0, "AID": 1.0, "REJECT": 0.0}
    assert actor_matches(("JPN", "country"), ["JAP"])


def test_a_gold_file_that_is_not_plover_is_one_clear_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text('[{"id": 1}]')
    with pytest.raises(ValueError, match="not a PLOVER gold file"):
        load_gold(gold)


def test_the_stage_reads_a_documents_text_once_however_long_it_is() -> None:
    """spaCy's `Doc.text` joins every token on each call; read per phrase, it made the events stage
    quadratic on long transcripts (2,400 paragraphs of this kind took minutes). The stage keeps the text."""
    paragraph = "Anneke Holm spoke in Velmora on Wednesday. She met Lidia Varn in Kestria.\n\n"  # fictional
    doc = load_pipeline()("Long report\n\n" + paragraph * 40)
    mentions = extract_event_mentions(doc, "a", 0)
    assert len(mentions) == 40
    assert doc.user_data["newstrace.text"] == doc.text


def test_the_error_listing_names_each_missed_measure_next_to_gold() -> None:
    records = [
        GoldRecord("1", "fictional", "AID", ("USA",), ("UKR",)),
        GoldRecord("2", "fictional", "ACCUSE", ("FRA",), ()),
    ]
    predictions = [
        Prediction("AID", ("USA", "country"), (None, None), "gave", "Washington", None),
        Prediction("ACCUSE", ("FRA", "country"), (None, None), "condemned", "Paris", None),
    ]
    rows = error_rows(records, predictions)
    assert [(row["id"], row["missed"]) for row in rows] == [("1", ["target"])]
    ours = {"type": "AID", "trigger": "gave", "source": ["USA", "Washington"], "target": [None, None]}
    assert rows[0]["ours"] == ours


@pytest.mark.parametrize(
    ("text", "trigger", "source", "target"),
    [
        # a pronoun subject under a reporting verb is that verb's subject
        ("Norway said on Monday it had expelled two Chilean diplomats.", "expelled", "NOR", "CHL"),
        # the recipient named inside the complement of the trigger
        ("Peru threatened to cut off gas supplies to the Bolivian province.", "threatened", "PER", "BOL"),
        ("Ghana refused to deploy observers in Togo.", "refused", "GHA", "TGO"),
        # a head that names no one takes the country its modifiers name
        ("Rebels in Nepal rejected a proposal from Bhutan.", "rejected", "NPL", "BTN"),
        # no recipient named: a domestic event, coded to the source's own country
        ("Kenyan police arrested forty demonstrators.", "arrested", "KEN", "KEN"),
        # an office holder without a country serves the country the sentence names
        ("Judge Ana Ruiz opened an inquiry into Peruvian officials.", "opened", "PER", "PER"),
        ("Thousands of students blocked roads near Bolivian army posts.", "blocked", "BOL", "BOL"),
        ("Striking doctors blocked roads near Peruvian hospitals.", "blocked", "PER", "PER"),
        # a people living in a country is coded to it; "-led" forces to their leader
        ("Ethnic Greeks in Albania demanded autonomy.", "demanded", "ALB", "ALB"),
        ("Nigerian-led forces attacked a village in Liberia.", "attacked", "NGA", "LBR"),
        # "their" forces are the reporting subject's
        ("Bolivian officials said their forces had withdrawn from Peru.", "withdrawn", "BOL", "PER"),
        # a complaint's target is whom it is about, not its audience; plural demonyms resolve
        ("Chile complained to the United Nations over Peruvian border raids.", "complained", "CHL", "PER"),
        ("Gabon refused entry to Cameroonians.", "refused", "GAB", "CMR"),
        # a purpose clause inside the object still names the recipient; a condition does not
        ("The UN rejected a request for its monitors to be sent to Fiji.", "rejected", "UN", "FJI"),
        ("Ghana refused to meet Togo unless Benin attends.", "refused", "GHA", "TGO"),
        # "its" in an object is no recipient: the recipient is the one named
        ("Chile offered its engineers to Peru.", "offered", "CHL", "PER"),
        # a verb misread as modifying a noun ("Doctors from ... donated") has that noun as its subject
        (
            "Doctors from two Danish charities donated and personally delivered medicine to a hospital in Lima.",
            "donated",
            "DNK",
            None,
        ),
        # a passive event without its agent is the place's doing; so is an unattributed blast
        ("A Danish reporter was arrested in Laos for spying.", "arrested", "LAO", "DNK"),
        ("A roadside blast near a Malian town killed two Nigerien soldiers.", "killed", "MLI", "NER"),
        # a head of state named alone resolves to the country
        ("President Mandela condemned the attack on Mozambican villagers.", "condemned", "ZAF", "MOZ"),
        # radicals (CAMEO's RAD sector) named without a country are the sentence's country's
        ("Extremists attacked a police station in northern Peru.", "attacked", "PER", "PER"),
    ],
)  # all fictional
def test_actors_found_beyond_the_verbs_own_slots(
    nlp: Any, text: str, trigger: str, source: str, target: str | None
) -> None:
    mentions = extract_event_mentions(nlp(text), "a", 0)
    mention = next(m for m in mentions if m.trigger_text == trigger)
    assert (mention.source_code, mention.target_code) == (source, target)


def test_a_domestic_recipient_has_no_text_and_less_confidence(nlp) -> None:  # type: ignore[no-untyped-def]
    mention = extract_event_mentions(nlp("Kenyan police arrested forty demonstrators."), "a", 0)[0]  # fictional
    assert mention.target_text is None and mention.target_start is None
    assert mention.confidence < 0.9


def test_leaders_names_need_their_capitals() -> None:
    assert find_actor("Trump") is not None and find_actor("a trump card") is None
    assert find_actor("Kenyan opposition") == find_actor("Kenya's opposition")


def test_a_gold_organisation_class_matches_either_kind() -> None:
    assert actor_matches(("AMN", "NGO"), ["IGO"]) and actor_matches(("UN", "IGO"), ["NGO"])
    assert not actor_matches(("USA", "country"), ["IGO"])


@pytest.mark.parametrize(
    ("text", "trigger", "event_type", "auxiliary"),
    [
        ("Chile said that Peru must withdraw its ships.", "said", "REQUEST", None),
        ("Norway is willing to send doctors to Nepal.", "send", "AID", "future"),
        ("Farmers in Kenya staged a march to demand higher prices.", "staged", "PROTEST", None),
        ("Teachers in Ghana began a hunger strike.", "began", "PROTEST", None),
        ("A Kenyan judge ordered the minister to appear in court.", "ordered", "REQUEST", None),
        ("Fijian rebels have sworn to attack the capital.", "attack", "ASSAULT", "future"),
        ("Japan halted its aid to Laos.", "halted", "SANCTION", None),
    ],
)  # all fictional
def test_event_types_from_general_constructions(
    nlp: Any, text: str, trigger: str, event_type: str, auxiliary: str | None
) -> None:
    mentions = extract_event_mentions(nlp(text), "a", 0)
    assert [(m.trigger_text, m.event_type, m.auxiliary) for m in mentions][:1] == [(trigger, event_type, auxiliary)]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("on Tuesday", "2024-07-09"),  # the article is of Wednesday 2024-07-10
        ("Wednesday", "2024-07-10"),  # the article's own weekday is that day
        ("Sunday night", "2024-07-07"),
        ("yesterday", "2024-07-09"),
        ("last week", "2024-07-03"),
        ("July 9", "2024-07-09"),
        ("December 25", "2023-12-25"),  # a day later in the year than the article is last year's
        ("July 11", None),  # ... but one within a month after it is a coming day, not last year's
        ("August 10", None),
        ("August 11", "2023-08-11"),
        ("on 3 March 2021", "2021-03-03"),
        ("the coming months", None),
        ("2022", None),
        # named no day: told apart without dateparser
        ("August", None),
        ("December 2010", None),
        ("Sept. 2019", None),
        ("last summer", None),
        ("69", None),
        ("the same day", None),
    ],
)
def test_event_dates_resolve_against_the_article_date(expression: str, expected: str | None) -> None:
    assert resolve_event_date(expression, "2024-07-10") == expected


def test_a_weekday_of_an_event_told_in_the_future_is_the_coming_one(nlp: Any) -> None:
    # the article is of Sunday 2024-07-14: "on Monday" of a coming speech is the next day, not 07-08
    assert resolve_event_date("on Monday", "2024-07-14", ahead=True) == "2024-07-15"
    assert resolve_event_date("Sunday", "2024-07-14", ahead=True) == "2024-07-14"
    assert resolve_event_date("on Monday", "2024-07-14") == "2024-07-08"  # told in the past: the last one
    # a copy published on Tuesday 07-16 of the Sunday report still names the Monday between them
    assert resolve_event_date("on Monday", "2024-07-16", ahead=True) == "2024-07-15"
    assert resolve_event_date("on Thursday", "2024-07-14", ahead=True) == "2024-07-18"  # four days to come
    # a day without its year told in the future is the coming one, not last year's (fictional dates)
    assert resolve_event_date("on May 3", "2016-02-10", ahead=True) == "2016-05-03"
    assert resolve_event_date("January 5", "2016-11-20", ahead=True) == "2017-01-05"
    assert resolve_event_date("on May 3", "2016-02-10") == "2015-05-03"  # told in the past: last year's
    text = "Mara Holm will deliver a speech in Velka on Monday."  # fictional
    mention = next(m for m in extract_event_mentions(nlp(text), "a", 0, "2024-07-14") if m.trigger_text == "deliver")
    assert (mention.auxiliary, mention.date) == ("future", "2024-07-15")


@pytest.mark.parametrize(
    "text",
    [
        "Mara Holm had been scheduled to deliver a speech in Velka on Monday, but the visit was called off.",
        "Mara Holm is scheduled to deliver a speech in Velka on Monday.",
    ],
)
def test_a_weekday_of_a_scheduled_event_is_the_coming_one_whatever_the_tense(nlp: Any, text: str) -> None:
    """A schedule is a plan: the day it names is ahead of the scheduling, which the past perfect only puts
    before the report ("had been scheduled ... on Monday" in a Sunday report is the next day); the one
    scheduled does it (the passive is the schedule's, not the speech's). Fictional."""
    mention = next(m for m in extract_event_mentions(nlp(text), "a", 0, "2024-07-14") if m.trigger_text == "deliver")
    assert (mention.auxiliary, mention.date, mention.source_text) == ("future", "2024-07-15", "Mara Holm")


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("My deepest sympathy and support goes out to the victims, the wounded, and their families.", "wounded"),
        ("Hours later, she issued a statement calling on Velka to redouble its efforts.", "calling"),
        ("The approach the council favours - one that calls on Velkans to refrain from violence - may fail.", "calls"),
    ],
)
def test_a_thing_a_feeling_or_a_number_is_no_actor(nlp: Any, text: str, trigger: str) -> None:
    """An actor is a named or nominal agent (a name, or a noun the sector words or agent dictionary
    know): not a pronoun or number standing for a noun, nor a thing or a feeling. Fictional."""
    mentions = [m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == trigger]
    assert mentions and all(m.source_text is None and m.source_code is None for m in mentions)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Debate moderators condemned the Velka council.", "Debate moderators"),  # one who moderates
        ("A group of researchers condemned the Velka council.", "A group of researchers"),  # a group of agents
        ("The head of Tarsby Shipping condemned the Velka council.", "The head of Tarsby Shipping"),
    ],
)
def test_a_noun_for_one_who_acts_is_an_actor_no_table_codes(nlp: Any, text: str, source: str) -> None:
    """Fictional."""
    [mention] = [m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == "condemned"]
    assert mention.source_text == source


def test_the_subject_of_a_bare_past_participle_underwent_the_event(nlp: Any) -> None:
    """ "Many people dead and wounded": a participle without "have" is passive; its subject is the one
    wounded, not the one wounding (a quantified noun the sector words know is still an actor). Fictional."""
    [mention] = [m for m in extract_event_mentions(nlp("Many people dead and wounded."), "a", 0)]
    assert (mention.source_text, mention.target_text) == (None, "Many people")
    [active] = extract_event_mentions(nlp("Rebels have attacked the Velka garrison."), "a", 0)
    assert active.source_text == "Rebels"


def test_a_country_acted_on_does_not_give_the_actor_its_own_country(nlp: Any) -> None:
    # the minister is Chile's (the sentence before); the sentence names Peru only as the one condemned
    text = "Chile leads the bloc. Its foreign minister condemned Peru."  # fictional
    mention = next(m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == "condemned")
    assert (mention.source_code, mention.target_code) == (None, "PER")
    # a place the sentence names besides the recipient still gives a domestic actor its country
    text = "Protesters marched in Lima against Peru."  # fictional
    mention = next(m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == "marched")
    assert (mention.source_code, mention.target_code) == ("PER", "PER")


def test_an_unreadable_article_date_leaves_the_event_undated() -> None:
    assert resolve_event_date("on Tuesday", "soon") is None and resolve_event_date("on Tuesday", None) is None


def test_the_cli_filters_on_dates_resolved_against_the_published_date(tmp_path: Path) -> None:
    article = tmp_path / "fictional.txt"  # fictional
    article.write_text("Tonga aid\n\nOn Tuesday, Fiji sent medical supplies to Tonga.\n")
    db = tmp_path / "news.db"
    assert run_cli("analyze", str(article), "--db", str(db), "--published", "2024-07-10", "--quiet").returncode == 0
    inside = run_cli("events", "--db", str(db), "--from", "2024-07-09", "--to", "2024-07-09", "--json")
    outside = run_cli("events", "--db", str(db), "--from", "2024-07-10", "--json")
    assert [json.loads(line)["event_date"] for line in inside.stdout.splitlines()] == ["2024-07-09"], inside.stderr
    assert outside.returncode == 0 and outside.stdout.strip() == ""
    # the resolved date is stored with the mention, not worked out when listing
    [mention] = open_store(str(db), readonly=True).iter_rows("event_mentions")
    assert mention["date"] == "2024-07-09"


def test_the_extraction_dates_mentions_when_given_the_article_date(nlp: Any) -> None:
    doc = nlp("On Tuesday, Fiji sent medical supplies to Tonga.")  # fictional
    assert [m.date for m in extract_event_mentions(doc, "a", 0, "2024-07-10")] == ["2024-07-09"]
    assert [m.date for m in extract_event_mentions(doc, "a", 0)] == [None]


def test_a_date_in_a_relative_clause_is_not_the_events(nlp: Any) -> None:
    doc = nlp("The lagoon council, which first met on March 3, 2008, condemned Vanuatu on Tuesday.")  # fictional
    dated = {m.trigger_text: (m.date_text, m.date) for m in extract_event_mentions(doc, "a", 0, "2024-07-10")}
    assert dated["condemned"] == ("Tuesday", "2024-07-09")
    assert dated["met"] == ("March 3, 2008", "2008-03-03")  # the clause's own event keeps its date


def test_event_scores_stay_above_the_pinned_floors(shared_data: Path) -> None:
    floors = accuracy_floors("events", "plover_dev")
    gold = shared_data / "plover" / "plover_gsr_dev.json"
    result = run_cli("eval", "events", "--gold", str(gold), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    for name, floor in floors.items():
        assert scores[name]["value"] >= floor, (name, scores[name])


@pytest.fixture
def agent_dictionary(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The NGEC agent dictionary in ../shared, named as a user names theirs."""
    monkeypatch.setenv(DICTIONARY_VARIABLE, str(shared_data / "ngec" / "PLOVER_agents.txt"))
    agent_sectors.cache_clear()
    yield
    agent_sectors.cache_clear()


def test_sectors_come_from_the_agent_dictionary_where_the_hand_written_words_say_nothing(
    agent_dictionary: None,
) -> None:
    assert [sector_only(phrase) for phrase in ("the abbot", "the cattlemen", "the rebels")] == ["REL", "AGR", "REB"]
    assert find_actor("Swiss abbots") == Actor("CHE", "Switzerland", "country", "REL")


def test_without_an_agent_dictionary_only_the_hand_written_sector_words_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DICTIONARY_VARIABLE, raising=False)
    agent_sectors.cache_clear()
    assert [sector_only(phrase) for phrase in ("the abbot", "the rebels")] == [None, "REB"]


@pytest.mark.parametrize(
    ("text", "trigger", "event_type", "source", "target"),
    [
        ("Chilean riots against Peruvian fishing rules went on.", "riots", "PROTEST", "CHL", "PER"),
        ("The Bolivian president arrived in Lima on a surprise visit.", "visit", "CONSULT", "BOL", "PER"),
        ("Fiji's withdrawal from Tonga was complete by noon.", "withdrawal", "RETREAT", "FJI", "TON"),
        ("A Fijian sailor was put under investigation in Tonga.", "investigation", "ACCUSE", "TON", "FJI"),
    ],
)  # all fictional
def test_an_event_noun_stands_in_when_no_verb_names_the_event(
    nlp: Any, text: str, trigger: str, event_type: str, source: str, target: str
) -> None:
    mentions = extract_event_mentions(nlp(text), "a", 0)
    assert [(m.trigger_text, m.event_type, m.source_code, m.target_code) for m in mentions][:1] == [
        (trigger, event_type, source, target)
    ]


def test_an_event_noun_is_not_read_when_a_verb_names_the_event_or_in_a_condition(nlp: Any) -> None:
    mentions = extract_event_mentions(nlp("Peru condemned the Chilean riots."), "a", 0)  # fictional
    assert [m.trigger_text for m in mentions] == ["condemned"]
    conditional = nlp("Fiji may leave the forum if cooperation with Tonga fails.")  # fictional
    assert extract_event_mentions(conditional, "a", 0) == []


@pytest.mark.parametrize(
    ("phrase", "sector"),
    [
        ("the Ukrainian air force", "MIL"),  # a sector phrase of two words
        ("Ukrainian armyworm researchers", None),  # "army" only as a whole word
        ("Kenyan army and rebels", "REB"),  # the earlier sector in the list wins, not the earlier word
        ("French farmers-union", "LAB"),  # a hyphen bounds a word
    ],
)
def test_sector_words_match_whole_words_in_sector_order(phrase: str, sector: str | None) -> None:
    actor = find_actor(phrase)  # fictional phrases
    assert actor is not None and actor.sector == sector


@pytest.mark.parametrize(
    ("text", "trigger", "sources"),
    [
        # a relative pronoun stands for the nouns its clause modifies
        ("Velka's rivals, including Chad, Niger and Mali, who support Libya, stayed silent.", "support",
         [("Chad", "TCD"), ("Niger", "NER"), ("Mali", "MLI")]),
        ("The envoy met leaders of Chad, who condemned Niger.", "condemned", [("Chad", "TCD")]),
        # a pronoun or demonstrative nothing resolves is no actor
        ("It condemned the attack on Mozambican villagers.", "condemned", [(None, None)]),
        ('"That," he added, "promises to make life harder for Chile."', "promises", [(None, None)]),
    ],
)  # fmt: skip  # all fictional
def test_a_pronoun_acts_only_through_the_actor_it_stands_for(
    nlp: Any, text: str, trigger: str, sources: list[tuple[str | None, str | None]]
) -> None:
    mentions = [m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == trigger]
    assert [(m.source_text, m.source_code) for m in mentions] == sources


@pytest.mark.parametrize(
    ("text", "trigger", "source", "target"),
    [
        # a thing the source owns is no recipient, nor a domestic one
        ("Ghana declined to discuss Ghana's prospects of joining the union.", "declined", "GHA", None),
        ("She has no illusions about Lula's threat, said the fictional Velka mayor.", "threat", "BRA", None),
        # the event noun's own phrase is no recipient
        ("Chile will watch the decisions announced at the NATO summit.", "summit", "NATO", None),
        # a passive's place acts and is not found again as the recipient
        ("The accord is expected to be ratified next month in Rwanda.", "ratified", "RWA", None),
        # beyond a demand the source owns, the one it is made of is the recipient
        ("The rebels insisted on their demands that Chad's government free the prisoners.", "insisted", "TCD",
         "TCD"),
        # a meeting's venue is not whom it consults; another event noun's "in" still names its target
        ("Addressing the Andean leaders summit in Lima on Tuesday, Vera Lind said the talks were hard.", "summit",
         None, None),
        ("Chad's summit with Niger in Lima ended.", "summit", "TCD", "NER"),
        # another's prospects and a domestic event still keep their recipients
        ("Ghana declined to discuss Togo's prospects of joining the union.", "declined", "GHA", "TGO"),
    ],
)  # fmt: skip  # all fictional
def test_an_actor_is_not_its_own_recipient_through_what_it_owns(
    nlp: Any, text: str, trigger: str, source: str | None, target: str | None
) -> None:
    mention = next(m for m in extract_event_mentions(nlp(text), "a", 0) if m.trigger_text == trigger)
    assert (mention.source_code, mention.target_code) == (source, target)
