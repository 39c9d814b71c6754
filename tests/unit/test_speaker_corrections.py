"""`newstrace speakers merge|split|rename`: corrections stored in the database and applied after every
automatic resolution (issue 18, must-have 3). The articles are fictional, written for these tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from newstrace.link.speakers import apply_corrections, link_speakers
from newstrace.records import Speaker, SpeakerCorrection

from ..conftest import run_cli

ARTICLES = {
    "harbour.txt": "Tolls rise at Port Aster\n\nA fictional article written for a newstrace test.\n\n"
    "“The harbour tolls will rise next spring,” Anneke Holm said on Monday.\n\n"
    "“We will not pay them,” said Pieter Dorn, who runs the ferries.\n",
    "ferries.txt": "Ferry owners object\n\nA fictional article written for a newstrace test.\n\n"
    "“Every ferry will stay in port until the tolls fall,” Aster Shipping Company said in a statement on Tuesday.\n",
}


def test_corrections_merge_split_and_rename_in_the_order_made() -> None:
    speakers, canonical = link_speakers([("Anneke Holm", None), ("Holm", None), ("A. Holm", None), ("Dorn", None)])
    corrections = [
        SpeakerCorrection("merge", "A. Holm", "Anneke Holm"),
        SpeakerCorrection("split", "Anneke Holm", "Holm"),
        SpeakerCorrection("rename", "Dorn", "Pieter Dorn", "person"),
        SpeakerCorrection("merge", "Nobody Known", "Anneke Holm"),  # changes nothing
    ]
    corrected, mapping = apply_corrections(speakers, canonical, corrections)
    assert mapping == {"Anneke Holm": "Anneke Holm", "A. Holm": "Anneke Holm", "Holm": "Holm", "Dorn": "Pieter Dorn"}
    by_name = {speaker.name: speaker for speaker in corrected}
    assert by_name["Anneke Holm"].aliases == ("A. Holm",)
    assert by_name["Pieter Dorn"] == Speaker("Pieter Dorn", ("Dorn",), (), "person")
    assert set(by_name) == {"Anneke Holm", "Holm", "Pieter Dorn"}


def test_a_speaker_is_typed_and_a_country_is_no_short_form_of_a_statement() -> None:
    statement = "Joint statement signed by several NATO members and Ukraine"
    speakers, canonical = link_speakers([(statement, None), ("Ukraine", None), ("Jens Stoltenberg", None),
                                         ("Stoltenberg", None)])  # fmt: skip
    assert canonical["Ukraine"] == "Ukraine" and canonical["Stoltenberg"] == "Jens Stoltenberg"
    kinds = {speaker.name: speaker.kind for speaker in speakers}
    assert kinds == {statement: "organisation", "Ukraine": "organisation", "Jens Stoltenberg": "person"}


def _speakers(db: Path) -> dict[str, tuple[str, list[str], int]]:
    rows = sqlite3.connect(db).execute("SELECT name, kind, aliases, n_quotes FROM speaker_stats").fetchall()
    return {name: (kind, json.loads(aliases), count) for name, kind, aliases, count in rows}


def test_corrections_are_kept_across_reruns_and_relinking(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "news.db"
    assert run_cli("analyze", str(folder), "--db", str(db), "--quiet").returncode == 0
    before = _speakers(db)
    assert before["Aster Shipping Company"][0] == "organisation" and before["Anneke Holm"][0] == "person"
    for args in (
        ("merge", "Pieter Dorn", "Anneke Holm"),
        ("rename", "Aster Shipping Company", "Aster Shipping", "--kind", "organisation"),
    ):
        result = run_cli("speakers", *args, "--db", str(db))
        assert result.returncode == 0, result.stderr
    wrong = run_cli("speakers", "split", "Anneke Holm", "Lidia Varn", "--db", str(db))
    assert wrong.returncode != 0 and "not one of the other names" in wrong.stderr
    corrected = _speakers(db)
    assert corrected["Anneke Holm"] == ("person", ["Pieter Dorn"], 2)
    assert corrected["Aster Shipping"] == ("organisation", ["Aster Shipping Company"], 1)
    [(utterance_speaker,)] = (
        sqlite3.connect(db).execute("SELECT speaker FROM utterances WHERE canonical_text LIKE '%pay them%'").fetchall()
    )
    assert utterance_speaker == "Anneke Holm"
    (folder / "later.txt").write_text(ARTICLES["harbour.txt"].replace("Monday", "Friday"), encoding="utf-8")
    assert run_cli("analyze", str(folder), "--db", str(db), "--quiet").returncode == 0
    assert run_cli("link", "--db", str(db), "--relink", "--quiet").returncode == 0
    assert _speakers(db)["Anneke Holm"][:2] == ("person", ["Pieter Dorn"])
    assert _speakers(db)["Aster Shipping"][0] == "organisation"
    split = run_cli("speakers", "split", "Anneke Holm", "Pieter Dorn", "--db", str(db))
    assert split.returncode == 0, split.stderr
    assert _speakers(db)["Pieter Dorn"][0] == "person" and _speakers(db)["Anneke Holm"][1] == []
