"""`compare`, `outlet` and `export framing` on the sample corpus (with its lexicon) and on the seeds."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from rich.console import Console

from newstrace.cli.framing import print_comparison
from newstrace.framing.compare import compare_story
from newstrace.store import open_store

from ..conftest import CORPUS, run_cli

LEXICON = CORPUS / "framing.toml"
FRAMING_CONTRACT = ["article_id", "outlet", "marker", "referent", "category", "text", "start", "end"]


@pytest.fixture(scope="module")
def framed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("framed") / "news.db"
    result = run_cli("analyze", str(CORPUS), "--lexicon", str(LEXICON), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    return db


def _velmora_story(db: Path) -> str:
    connection = sqlite3.connect(db)
    [(story,)] = connection.execute(
        "SELECT DISTINCT story_id FROM articles WHERE path LIKE '%meridian-wire_holm-velmora%'"
    ).fetchall()
    return str(story)


def _compare(db: Path, story: str) -> dict[str, dict[str, object]]:
    result = run_cli("compare", story, "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return {outlet["outlet"]: outlet for outlet in json.loads(result.stdout)["outlets"]}


def _markers(choices: list[dict[str, object]]) -> dict[str, str]:
    return {str(choice["marker"]): str(choice["category"]) for choice in choices}


def test_two_outlets_name_the_capital_differently_and_attribute_differently(framed_db: Path) -> None:
    outlets = _compare(framed_db, _velmora_story(framed_db))
    kestria, vda = outlets["Kestria Today"], outlets["VDA"]
    assert _markers(kestria["names"]["Kestria's capital"]) == {"Kestrohrad": "naming"}
    assert _markers(vda["names"]["Kestria's capital"]) == {"Kestrograd": "naming"}
    assert _markers(vda["names"]["Coastal Defence League"])["military bloc"] == "label"
    assert _markers(kestria["verbs"]["Anneke Holm"]) == {"say": "neutral"}
    assert _markers(vda["verbs"]["Anneke Holm"]) == {"claim": "distancing"}
    assert vda["stances"]["distancing"] >= 3 and kestria["stances"]["distancing"] == 0


def test_each_outlet_shows_which_rendering_it_carried_and_how_faithful(framed_db: Path) -> None:
    outlets = _compare(framed_db, _velmora_story(framed_db))

    def gravest(outlet: str) -> list[dict[str, object]]:
        rows = outlets[outlet]["renderings"]
        return [row for row in rows if "gravest danger to our security would be" in str(row["canonical_text"])]

    assert any(row["fidelity"] == 1.0 and row["flags"] == [] for row in gravest("Kestria Today"))
    assert any("altered_direct_quote" in row["flags"] for row in gravest("VDA"))
    assert all("truncated" in row["flags"] for row in gravest("NewsPulse"))
    # each outlet's own words, with the diff against the canonical text (issue 18, must-have 4)
    [altered] = [row for row in gravest("VDA") if "altered_direct_quote" in row["flags"]]
    assert "biggest" in str(altered["content_text"])
    assert {"op": "substituted", "canonical": "gravest", "rendering": "biggest"} in altered["diff"]


def test_every_item_points_into_the_article_text(framed_db: Path) -> None:
    outlets = _compare(framed_db, _velmora_story(framed_db))
    texts = dict(sqlite3.connect(framed_db).execute("SELECT id, text FROM articles").fetchall())
    checked = 0
    for outlet in outlets.values():
        for group in (*outlet["verbs"].values(), *outlet["names"].values()):
            for choice in group:
                for item in choice["evidence"]:
                    assert texts[item["article_id"]][item["start"] : item["end"]] == item["text"]
                    checked += 1
    assert checked > 20


def test_a_speaker_quoted_elsewhere_but_not_by_kestria_today_is_shown_as_omitted(framed_db: Path) -> None:
    outlets = _compare(framed_db, _velmora_story(framed_db))
    assert "Pavel Orlan" in outlets["Kestria Today"]["omitted"]
    assert "Pavel Orlan" in outlets["VDA"]["speakers"] and "Pavel Orlan" in outlets["Meridian Wire"]["speakers"]
    assert "Pavel Orlan" not in outlets["VDA"]["omitted"]


def test_the_terminal_side_by_side_shows_outlets_verbs_and_names(framed_db: Path) -> None:
    result = run_cli("compare", _velmora_story(framed_db), "--db", str(framed_db))
    assert result.returncode == 0, result.stderr
    for expected in ("Kestria Today", "VDA", "Kestrograd", "Kestrohrad", "claim", "left out", "Pavel Orlan"):
        assert expected in result.stdout
    # renderings in the outlet's own words: VDA's substitution marked, reported speech without quotation marks
    assert "[-gravest-]{+biggest+}" in result.stdout and "(reported)" in result.stdout


def test_in_80_columns_the_outlets_of_a_story_come_one_after_another_with_their_words_whole(framed_db: Path) -> None:
    """Seven outlets side by side in 80 columns cut nearly every word ('Velmo…', 'grave…'): the comparison
    lists them one after another instead, each a section (a wider terminal keeps them side by side)."""
    with closing(open_store(str(framed_db), readonly=True)) as store:
        comparison = compare_story(store, _velmora_story(framed_db))
    printed = io.StringIO()
    print_comparison(Console(file=printed, width=80, no_color=True), comparison)
    lines = printed.getvalue().splitlines()
    assert len(comparison.outlets) == 7 and max(len(line) for line in lines) <= 80
    outlets = [line.split("│")[2].strip() for line in lines if line.startswith("│ outlet ")]
    assert outlets == [coverage.outlet for coverage in comparison.outlets]
    assert any("Velmora summit opens with stark warning from Holm" in line for line in lines)
    assert not [line for line in lines[2:] if "…" in line], "a word cut"


def test_the_outlet_profile_counts_distancing_verbs_and_naming_choices(framed_db: Path) -> None:
    result = run_cli("outlet", "VDA", "--db", str(framed_db), "--format", "json")
    profile = json.loads(result.stdout)
    assert profile["n_articles"] == 2 and profile["stances"]["distancing"] >= 3
    assert 0 < profile["distancing_rate"] <= 1
    assert [choice["marker"] for choice in profile["names"]["Kestria's capital"]] == ["Kestrograd"]
    table = run_cli("outlet", "VDA", "--db", str(framed_db))
    assert "distancing" in table.stdout and "Kestrograd" in table.stdout


def test_unknown_story_and_outlet_get_clear_errors(framed_db: Path) -> None:
    story = run_cli("compare", "st_nope", "--db", str(framed_db))
    outlet = run_cli("outlet", "Nobody Times", "--db", str(framed_db))
    assert story.returncode == 2 and "no story 'st_nope'" in story.stderr
    assert outlet.returncode == 2 and "no articles from outlet 'Nobody Times'" in outlet.stderr


def test_export_framing_follows_the_contract(framed_db: Path) -> None:
    rows = [json.loads(line) for line in run_cli("export", "framing", "--db", str(framed_db)).stdout.splitlines()]
    assert rows and list(rows[0]) == FRAMING_CONTRACT
    assert {row["category"] for row in rows} >= {"naming", "label", "neutral", "distancing"}


def test_an_edited_lexicon_reframes_and_the_same_lexicon_changes_nothing(framed_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(framed_db.read_bytes())
    same = json.loads(run_cli("frame", "--db", str(db), "--lexicon", str(LEXICON), "--json").stdout)
    assert same == {"articles_framed": 0, "markers": 0}
    edited = tmp_path / "edited.toml"
    edited.write_text(LEXICON.read_text() + '\n[[referent]]\nname = "Skyshield"\nnaming = ["Skyshield"]\n')
    again = json.loads(run_cli("frame", "--db", str(db), "--lexicon", str(edited), "--json").stdout)
    assert again["articles_framed"] == 23
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM framing_markers WHERE referent = 'Skyshield'").fetchone()
    assert rows[0] >= 3


def test_a_broken_lexicon_stops_before_reading_anything(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[referent]]\nname = 'X'\n")
    result = run_cli("analyze", str(CORPUS / "text"), "--lexicon", str(bad), "--db", str(tmp_path / "n.db"))
    assert result.returncode == 2 and str(bad) in result.stderr and "at least one phrase" in result.stderr
    assert not (tmp_path / "n.db").exists()


def test_seeds_show_kiev_the_military_bloc_and_claimed_versus_stated(shared_data: Path, seeds_db: Path) -> None:
    rows = (
        sqlite3.connect(seeds_db)
        .execute(
            "SELECT a.path, f.marker, f.category, f.referent, f.text, f.start FROM framing_markers f "
            "JOIN articles a ON a.id = f.article_id"
        )
        .fetchall()
    )
    by_file: dict[str, list[tuple[str, str, str, str, int]]] = {}
    for path, *rest in rows:
        by_file.setdefault(Path(path).name[:3], []).append(tuple(rest))  # type: ignore[arg-type]
    for seed in ("000", "003"):
        assert any(m == "Kiev" and c == "naming" for m, c, *_ in by_file[seed]), seed
    assert any(m == "military bloc" and c == "label" for m, c, *_ in by_file["000"])
    text = Path(next(iter((shared_data / "seeds").glob("000_*.txt")))).read_text(encoding="utf-8")
    claimed = text.index("Stoltenberg claimed") + len("Stoltenberg ")
    stated = text.index("Stoltenberg stated") + len("Stoltenberg ")
    stances = {start: (category, referent) for _, category, referent, _, start in by_file["000"]}
    assert stances[claimed] == ("distancing", "Jens Stoltenberg")
    assert stances[stated] == ("neutral", "Jens Stoltenberg")
