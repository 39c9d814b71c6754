"""What is measured on PolNeAR train and dev, in one module: the accuracy floors (quotes, stories, trails
and speakers), and the training script (`scripts/train_quote_lexicon.py`) reproducing the shipped quote
lexicon and models from train. They share the analysed PolNeAR database (`polnear_db`) and its spaCy
parses (`polnear_parses`), and the test command's two processes (pytest-xdist, `--dist loadscope`) keep a
module on one process, so the parse of the 840 train texts and the analysis run once. The training
script (reading the parses from the cache) and the three evaluations then run at once, each evaluation on
its own copy of the database (each relinks or regroups what it measures), so the module's minutes overlap
instead of adding up (docs/testing.md, sessions 18 and 20)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from ..conftest import REPO, accuracy_floors
from .test_linking import assert_story_floors_and_baseline

Evaluations = dict[str, tuple[int, str, str]]  # by name: exit code, output, errors
GOLD = REPO.parent / "shared" / "data" / "polnear"
# Whichever test comes first pays the module's setup, the whole PolNeAR analysis: 865 s in a CI run on a
# loaded two-core machine (session 20), near the suite's 900 s limit per test.
pytestmark = pytest.mark.timeout(1800)


class Training(NamedTuple):
    """The training script's process, the folder it writes its files to, and the file of its errors."""

    process: subprocess.Popen[bytes]
    out_dir: Path
    errors: Path


_EVALUATIONS = {
    "quotes": ("--gold", str(GOLD / "dev")),  # dev is analysed in the database too
    "stories": ("--gold", str(GOLD)),
    "trails": ("--gold", str(GOLD)),
}


@pytest.fixture(scope="module")
def training(polnear_parses: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Training]:
    """The training script started on the PolNeAR train parses, writing into a folder of its own; the
    test that checks its files waits for it. Started before the evaluations (`evaluations` asks for
    it), it runs beside them instead of after them. In one process: two cost more CPU (each loads the
    model, every Doc is pickled back), and the other pytest-xdist processes keep the cores busy."""
    out_dir = tmp_path_factory.mktemp("retrained")
    errors = tmp_path_factory.mktemp("training") / "stderr.txt"
    script = REPO / "scripts" / "train_quote_lexicon.py"
    options = ("--polnear", str(GOLD / "train"), "--out-dir", str(out_dir), "--workers", "1")
    command = [sys.executable, str(script), *options, "--parse-cache", str(polnear_parses)]
    with errors.open("wb") as stderr:  # a file, not a pipe: nobody reads a pipe while the evaluations run
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    yield Training(process, out_dir, errors)
    if process.poll() is None:  # its test was deselected or failed before waiting: do not leave it running
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def evaluations(polnear_db: Path, training: Training, tmp_path_factory: pytest.TempPathFactory) -> Evaluations:
    """Each evaluation's exit code, output and errors, run side by side on copies of the database (and
    beside the training script, `training`)."""
    folder = tmp_path_factory.mktemp("polnear_evals")
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    running: dict[str, subprocess.Popen[str]] = {}
    for name, gold in _EVALUATIONS.items():
        copy = folder / f"{name}.db"
        with closing(sqlite3.connect(polnear_db)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        # One process each: the database holds every text analysed, so an eval only relinks or reads it;
        # with two it would also start a stage helper process for stages that have nothing to do.
        options = ("--db", str(copy), "--workers", "1", "--json")
        command = [sys.executable, "-m", "newstrace", "eval", name, *gold, *options]
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


@pytest.mark.slow
def test_the_training_script_reproduces_the_shipped_lexicon_and_models(training: Training) -> None:
    # The train texts the analysis parsed are read from its parse cache; the 110 whose datelines it masked
    # (the script parses the files as they are) are parsed by the script (docs/testing.md, session 20).
    process, out_dir, errors = training
    assert process.wait(timeout=1800) == 0, errors.read_text(encoding="utf-8", errors="replace")[-2000:]
    shipped = REPO / "src" / "newstrace" / "nlp" / "data"
    written = sorted(path.name for path in out_dir.iterdir())
    trained = sorted(path.name for path in shipped.iterdir() if path.name not in WRITTEN_BY_HAND)
    assert written == trained, "the script and the shipped files disagree"
    for name in written:
        retrained = json.loads((out_dir / name).read_text(encoding="utf-8"))
        committed = json.loads((shipped / name).read_text(encoding="utf-8"))
        differences = list(_model_differences(retrained, committed, name))
        assert not differences, f"{name} differs beyond rounding, retrain and commit: {differences[:5]}"


# Files in nlp/data that people write (the per-language quotation marks and reporting verbs), not the script.
WRITTEN_BY_HAND = frozenset({"languages.json"})

# Regression weights are written with four decimals; another CPU's floating point can move the last one
# (-0.4078 against -0.4077), and a weight near the 0.001 cut-off can fall on either side of it. Counts and
# names must match exactly.
WEIGHT_TOLERANCE = 0.002


def _model_differences(retrained: object, committed: object, where: str) -> Iterator[str]:
    """Where two trained files disagree by more than floating-point noise."""
    if isinstance(retrained, dict) and isinstance(committed, dict):
        for key in sorted(set(retrained) | set(committed)):
            if key not in retrained or key not in committed:
                present = retrained.get(key, committed.get(key))
                if not (isinstance(present, float) and abs(present) <= WEIGHT_TOLERANCE):
                    yield f"{where}/{key}: only in {'the retrained' if key in retrained else 'the shipped'} file"
                continue
            yield from _model_differences(retrained[key], committed[key], f"{where}/{key}")
    elif isinstance(retrained, float) or isinstance(committed, float):
        if not isinstance(retrained, int | float) or not isinstance(committed, int | float):
            yield f"{where}: {retrained!r} against {committed!r}"
        elif abs(retrained - committed) > WEIGHT_TOLERANCE:
            yield f"{where}: {retrained} against {committed}"
    elif retrained != committed:
        yield f"{where}: {retrained!r} against {committed!r}"


def test_the_model_comparison_tolerates_rounding_but_not_change() -> None:
    shipped = {"intercept": -2.3941, "weights": {"head=cite": -0.4077, "tiny": 0.0011}, "cues": 6}
    assert not list(
        _model_differences({"intercept": -2.3941, "weights": {"head=cite": -0.4078}, "cues": 6}, shipped, "m")
    )
    assert list(_model_differences({"intercept": -2.3941, "weights": {"head=cite": -0.45}, "cues": 6}, shipped, "m"))
    assert list(_model_differences({"intercept": -2.3941, "weights": {"head=cite": -0.4077}, "cues": 7}, shipped, "m"))
    assert list(_model_differences({"intercept": -2.3941, "weights": {"tiny": 0.0011}, "cues": 6}, shipped, "m"))
