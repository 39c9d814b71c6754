"""What the terminal views show: outlets found in any case and listed, verbs by base form, trail diffs
readable without colour, and a progress bar that claims no time left it cannot know."""

from __future__ import annotations

import json
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from newstrace.cli.framing import print_outlet, print_trail
from newstrace.cli.progress import RichProgress
from newstrace.framing.compare import Choice, Evidence, NotFound, OutletProfile, outlet_named
from newstrace.link.trail_view import Trail
from newstrace.records import Article, StoredUtterance
from newstrace.store import SQLiteStore

from ..conftest import run_cli


def _rendered(draw: object, *, colour: bool) -> str:
    output = StringIO()
    console = Console(file=output, width=200, force_terminal=colour, color_system="truecolor" if colour else None)
    draw(console)  # type: ignore[operator]
    return output.getvalue()


def test_outlets_are_listed_and_found_in_any_case(corpus_db: Path) -> None:
    listed = json.loads(run_cli("outlets", "--db", str(corpus_db), "--json").stdout)
    stored = sqlite3.connect(corpus_db).execute("SELECT count(*) FROM articles WHERE outlet = 'VDA'").fetchone()[0]
    assert {"outlet": "VDA", "n_articles": stored} in listed
    assert "VDA" in run_cli("outlets", "--db", str(corpus_db)).stdout
    profile = run_cli("outlet", "vda", "--db", str(corpus_db), "--format", "json")
    assert profile.returncode == 0, profile.stderr
    assert json.loads(profile.stdout)["outlet"] == "VDA" and json.loads(profile.stdout)["n_articles"] == stored


def test_an_outlet_name_differing_only_in_case_from_two_outlets_is_refused(store: SQLiteStore) -> None:
    run = store.begin_run("test")
    for number, outlet in enumerate(("Harbour Post", "HARBOUR POST", "Velmora Wire")):  # fictional outlets
        article = Article(
            id=f"a{number}", text=f"Fictional article {number}.", source_format="text", path=None, url=None,
            title=None, published=None, outlet=outlet, author=None, dateline=None, language="en", n_words=3,
            field_sources={},
        )  # fmt: skip
        store.save_article(article, [], run)
    assert outlet_named(store, "velmora WIRE") == "Velmora Wire"
    assert outlet_named(store, "HARBOUR POST") == "HARBOUR POST"
    with pytest.raises(NotFound, match="could be any of"):
        outlet_named(store, "harbour post")
    with pytest.raises(NotFound, match="newstrace outlets"):
        outlet_named(store, "Nowhere Daily")


def test_an_outlet_s_verbs_are_counted_by_base_form_not_by_their_first_cue() -> None:
    said = Choice("say", "neutral", [Evidence("a1", "said Friday", 0, 11), Evidence("a2", "said", 4, 8)])
    profile = OutletProfile("VDA", 2, 1, None, None, {"neutral": 2}, 0.0, {}, {}, [said])
    shown = _rendered(lambda console: print_outlet(console, profile), colour=False)
    assert "say ×2" in shown and "said Friday" not in shown


def _trail() -> Trail:
    diff = [
        {"op": "kept", "canonical": "the", "rendering": "the"},
        {"op": "cut", "canonical": "gravest", "rendering": ""},
        {"op": "inserted", "canonical": "", "rendering": "greatest"},
        {"op": "substituted", "canonical": "danger", "rendering": "risk"},
    ]
    utterance = StoredUtterance("u_1", None, "Anneke Holm", None, "the gravest danger", None, None, "VDA", 1, 1, None)
    rendering = {"published": "2025-03-12", "outlet": "VDA", "kind": "direct", "fidelity": 0.5,
                 "flags": ["altered_direct_quote"], "diff": diff}  # fmt: skip
    return Trail(utterance, [rendering], [], [])


def test_a_trail_without_colour_marks_its_diff_in_brackets() -> None:
    plain = _rendered(lambda console: print_trail(console, _trail()), colour=False)
    assert "the [-gravest-] {+greatest+} [-danger-]{+risk+}" in plain
    coloured = _rendered(lambda console: print_trail(console, _trail()), colour=True)
    assert "[-gravest-]" not in coloured and "\x1b[" in coloured


def test_in_80_columns_each_rendering_of_a_trail_comes_under_a_line_of_its_outlet_and_flags() -> None:
    """Beside five columns of dates, outlets, kinds, fidelities and flags, the rendering's words had a column
    of ten characters in 80 (and its heading cut): a narrow terminal shows them under a line instead."""
    output = StringIO()
    print_trail(Console(file=output, width=80, color_system=None), _trail())
    lines = output.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80 and not [line for line in lines if "…" in line]
    assert any("2025-03-12 · VDA · direct · 0.50 · altered_direct_quote" in line for line in lines)
    assert any("the [-gravest-] {+greatest+} [-danger-]{+risk+}" in line for line in lines)
    wide = _rendered(lambda console: print_trail(console, _trail()), colour=False)  # 200 columns: a table still
    assert "rendering (compared with the canonical text)" in wide


def test_trail_piped_to_a_file_keeps_its_diff(corpus_db: Path) -> None:
    rendered_most = (
        sqlite3.connect(corpus_db)
        .execute(
            "SELECT utterance_id FROM renderings WHERE json_array_length(diff) > 0 AND diff LIKE '%\"cut\"%' "
            "GROUP BY utterance_id ORDER BY count(*) DESC, utterance_id LIMIT 1"
        )
        .fetchone()[0]
    )
    result = run_cli("trail", rendered_most, "--db", str(corpus_db))
    assert result.returncode == 0 and "[-" in result.stdout and "-]" in result.stdout


def test_the_reading_bar_claims_no_time_left_and_leaves_a_line_when_linking_starts() -> None:
    output = StringIO()
    console = Console(file=output, width=200, force_terminal=True)
    with RichProgress(console, show_bar=True) as progress:
        progress.started(50)
        for _ in range(50):
            progress.source_read()
        progress.article_stored()
        progress.progress.refresh()
        reading = output.getvalue()
        progress.linking_started(50)
        progress.article_linked()
        progress.progress.refresh()
    assert "50/50" in reading and "ETA" not in reading
    assert "read 50/50 inputs: 1 articles stored" in output.getvalue()[len(reading) :]
