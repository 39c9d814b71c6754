"""The accuracy floors measured on PolNeAR train and dev (quotes, stories, trails and speakers), in one
module: they share the analysed PolNeAR database (`polnear_db`), and the test command's two processes
(pytest-xdist, `--dist loadscope`) keep a module on one process, so that analysis runs once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import REPO, accuracy_floors, run_cli
from .test_linking import assert_story_floors_and_baseline


@pytest.mark.slow
def test_polnear_dev_scores_stay_above_the_pinned_floors(shared_data: Path, polnear_db: Path) -> None:
    floors = accuracy_floors("quotes", "polnear_dev")
    gold = str(shared_data / "polnear" / "dev")
    result = run_cli("eval", "quotes", "--gold", gold, "--db", str(polnear_db), "--json")  # dev is analysed there
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)["scores"]
    assert scores["source_exact"]["f1"] >= floors["source"]
    assert scores["cue_exact"]["f1"] >= floors["cue"]
    assert scores["content_exact"]["f1"] >= floors["content"]
    assert scores["content_overlap"]["f1"] >= floors["content_overlap"]


@pytest.mark.slow
def test_polnear_story_scores_stay_above_the_pinned_floors_and_the_baseline(polnear_db: Path) -> None:
    floors = accuracy_floors("stories", "polnear")
    gold = REPO.parent / "shared" / "data" / "polnear"
    result = run_cli("eval", "stories", "--gold", str(gold), "--db", str(polnear_db), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["documents"] == 923, "two files with identical texts are one article"
    assert_story_floors_and_baseline(scores, floors)
    for check in scores["dense"]:  # a denser stream must not make the linker merge what it kept apart
        assert check["bcubed"]["f1"] > scores["baseline"]["bcubed"]["f1"], check["name"]


@pytest.mark.slow
def test_trail_and_speaker_scores_stay_above_the_pinned_floors(polnear_db: Path) -> None:
    floors = accuracy_floors("trails", "polnear_labels")
    gold = REPO.parent / "shared" / "data" / "polnear"
    result = run_cli("eval", "trails", "--gold", str(gold), "--db", str(polnear_db), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)["scores"]
    for name, floor in floors.items():
        assert scores[name]["value"] >= floor, (name, scores[name])
