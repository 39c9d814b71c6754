"""The training script (`scripts/train_quote_lexicon.py`) reproduces the shipped quote lexicon and models
from PolNeAR train. Its own module: the suite's longest test after the PolNeAR floors' analysis, which
tests/conftest.py sends out second so that it starts at once on the other test process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ..conftest import REPO


def test_the_training_script_reproduces_the_shipped_lexicon_and_models(shared_data: Path, tmp_path: Path) -> None:
    script = REPO / "scripts" / "train_quote_lexicon.py"
    train = shared_data / "polnear" / "train"
    # One parse process: two workers cost about 50 CPU s more here (each loads the model, every Doc is
    # pickled back), and in CI the other pytest-xdist process already keeps the second core busy.
    completed = subprocess.run(
        [sys.executable, str(script), "--polnear", str(train), "--out-dir", str(tmp_path), "--workers", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    shipped = REPO / "src" / "newstrace" / "nlp" / "data"
    written = sorted(path.name for path in tmp_path.iterdir())
    trained = sorted(path.name for path in shipped.iterdir() if path.name not in WRITTEN_BY_HAND)
    assert written == trained, "the script and the shipped files disagree"
    for name in written:
        retrained = json.loads((tmp_path / name).read_text(encoding="utf-8"))
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
