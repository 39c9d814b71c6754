"""The accuracy floors measured on PolNeAR train and dev (quotes, stories, trails and speakers), in one
module: they share the analysed PolNeAR database (`polnear_db`), and the test command's two processes
(pytest-xdist, `--dist loadscope`) keep a module on one process, so that analysis runs once. The three
evaluations then run at once, each on its own copy of the database (each relinks or regroups what it
measures), so the module's minutes overlap instead of adding up."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from ..conftest import REPO, accuracy_floors
from .test_linking import assert_story_floors_and_baseline

Evaluations = dict[str, tuple[int, str, str]]  # by name: exit code, output, errors
GOLD = REPO.parent / "shared" / "data" / "polnear"
_EVALUATIONS = {
    "quotes": ("--gold", str(GOLD / "dev")),  # dev is analysed in the database too
    "stories": ("--gold", str(GOLD)),
    "trails": ("--gold", str(GOLD)),
}


@pytest.fixture(scope="module")
def evaluations(polnear_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Evaluations:
    """Each evaluation's exit code, output and errors, run side by side on copies of the database."""
    folder = tmp_path_factory.mktemp("polnear_evals")
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    running: dict[str, subprocess.Popen[str]] = {}
    for name, gold in _EVALUATIONS.items():
        copy = folder / f"{name}.db"
        with closing(sqlite3.connect(polnear_db)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        command = [sys.executable, "-m", "newstrace", "eval", name, *gold, "--db", str(copy), "--json"]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        running[name] = subprocess.Popen(command, cwd=REPO, env=env, **pipes)  # type: ignore[call-overload]
    results: Evaluations = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=1800)
        results[name] = (process.returncode, stdout, stderr)
    return results


def _output(evaluations: Evaluations, name: str) -> dict[str, Any]:
    returncode, stdout, stderr = evaluations[name]
    assert returncode == 0, stderr
    output: dict[str, Any] = json.loads(stdout)
    return output


@pytest.mark.slow
def test_polnear_dev_scores_stay_above_the_pinned_floors(shared_data: Path, evaluations: Evaluations) -> None:
    floors = accuracy_floors("quotes", "polnear_dev")
    scores = _output(evaluations, "quotes")["scores"]
    assert scores["source_exact"]["f1"] >= floors["source"]
    assert scores["cue_exact"]["f1"] >= floors["cue"]
    assert scores["content_exact"]["f1"] >= floors["content"]
    assert scores["content_overlap"]["f1"] >= floors["content_overlap"]


@pytest.mark.slow
def test_polnear_story_scores_stay_above_the_pinned_floors_and_the_baseline(evaluations: Evaluations) -> None:
    floors = accuracy_floors("stories", "polnear")
    scores = _output(evaluations, "stories")
    assert scores["documents"] == 923, "two files with identical texts are one article"
    assert_story_floors_and_baseline(scores, floors)
    for check in scores["dense"]:  # a denser stream must not make the linker merge what it kept apart
        assert check["bcubed"]["f1"] > scores["baseline"]["bcubed"]["f1"], check["name"]


@pytest.mark.slow
def test_trail_and_speaker_scores_stay_above_the_pinned_floors(evaluations: Evaluations) -> None:
    floors = accuracy_floors("trails", "polnear_labels")
    scores = _output(evaluations, "trails")["scores"]
    for name, floor in floors.items():
        assert scores[name]["value"] >= floor, (name, scores[name])
