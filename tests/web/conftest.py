"""A database over the sample corpus plus one hostile article, shared by the web tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import CORPUS, run_cli

HOSTILE = """Breaking <script>alert('title')</script> news

LINDQVIST (Test Wire) - A fictional test article: <script>document.body.innerHTML='owned'</script> and
<img src=x onerror="alert('img')"> must show as text. The harbour master said "the <b>channel</b> is closed".
"""


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "text" / "2025-06-01_test-wire_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    db = root / "news.db"
    result = run_cli("analyze", str(corpus), "--lexicon", str(CORPUS / "framing.toml"), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    return db
