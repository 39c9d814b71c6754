"""Quote trails on the sample corpus, whose renderings of Holm's Velmora statement we wrote (see its README):
verbatim, truncated, paraphrased as indirect speech, misquoted inside quotation marks, and repeated months
later at Port Aster."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..conftest import CORPUS, run_cli

UTTERANCE_CONTRACT = ["id", "speaker", "canonical_text", "first_article_id", "first_seen", "n_renderings", "n_outlets"]
RENDERING_CONTRACT = ["utterance_id", "quote_id", "article_id", "outlet", "fidelity", "diff", "flags"]


def _velmora_quote(db: Path) -> str:
    [(quote_id,)] = (
        sqlite3.connect(db)
        .execute(
            "SELECT q.id FROM quotes q JOIN articles a ON a.id = q.article_id "
            "WHERE a.outlet = 'Kestria Today' AND a.published = '2025-03-12' AND q.content_text LIKE '%gravest danger%'"
        )
        .fetchall()
    )
    return str(quote_id)


def _trail(db: Path, key: str) -> dict[str, object]:
    result = run_cli("trail", key, "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_velmora_statement_is_one_utterance_with_every_rendering_flagged(corpus_db: Path) -> None:
    found = _trail(corpus_db, _velmora_quote(corpus_db))
    utterance, renderings = found["utterance"], found["renderings"]
    assert utterance["speaker"] == "Anneke Holm" and utterance["first_seen"] == "2025-03-12"
    assert str(utterance["canonical_text"]).startswith("“The gravest danger to our security would be")
    by_outlet: dict[str, list[dict[str, object]]] = {}
    for rendering in renderings:
        by_outlet.setdefault(str(rendering["outlet"]), []).append(rendering)
    for outlet in ("Meridian Wire", "Harbor Daily", "Kestria Today"):
        assert any(r["fidelity"] == 1.0 and r["flags"] == [] for r in by_outlet[outlet]), outlet
    assert all("truncated" in r["flags"] for r in by_outlet["NewsPulse"])
    assert by_outlet["The Northern Ledger"][0]["flags"] == ["paraphrased_as_indirect"]
    [misquote] = by_outlet["VDA"]
    assert "altered_direct_quote" in misquote["flags"] and misquote["fidelity"] < 0.9
    substituted = [step for step in misquote["diff"] if step["op"] == "substituted"]
    assert {"canonical": "gravest", "rendering": "biggest", "op": "substituted"} in substituted
    assert not any("altered_direct_quote" in r["flags"] for o, rs in by_outlet.items() if o != "VDA" for r in rs)


def test_the_port_aster_repeat_is_a_later_utterance_of_the_same_claim(corpus_db: Path) -> None:
    velmora = _trail(corpus_db, _velmora_quote(corpus_db))
    [later] = velmora["recurs_in"]
    assert later["first_seen"] == "2025-11-04" and later["speaker"] == "Anneke Holm"
    port_aster = _trail(corpus_db, str(later["id"]))
    assert [earlier["id"] for earlier in port_aster["recurs_from"]] == [velmora["utterance"]["id"]]
    assert {r["outlet"] for r in port_aster["renderings"]} == {"Kestria Today", "Meridian Wire", "Lakeside Gazette"}


def test_unrelated_statements_of_the_same_speaker_stay_apart(corpus_db: Path) -> None:
    velmora = _trail(corpus_db, _velmora_quote(corpus_db))
    contents = " ".join(str(r["content_text"]) for r in velmora["renderings"])
    assert "supply contracts" not in contents and "air-defence systems" not in contents


def test_the_terminal_trail_is_readable(corpus_db: Path) -> None:
    result = run_cli("trail", _velmora_quote(corpus_db), "--db", str(corpus_db))
    assert result.returncode == 0
    for expected in ("Anneke Holm", "canonical:", "said again", "VDA", "altered_direct_quote", "truncated"):
        assert expected in result.stdout
    missing = run_cli("trail", "nope", "--db", str(corpus_db))
    assert missing.returncode == 2 and "no utterance or quote 'nope'" in missing.stderr


def test_utterances_and_renderings_follow_the_export_contract(corpus_db: Path) -> None:
    utterances = [
        json.loads(line) for line in run_cli("export", "utterances", "--db", str(corpus_db)).stdout.splitlines()
    ]
    renderings = [
        json.loads(line) for line in run_cli("export", "renderings", "--db", str(corpus_db)).stdout.splitlines()
    ]
    assert list(utterances[0])[: len(UTTERANCE_CONTRACT)] == UTTERANCE_CONTRACT
    assert list(renderings[0]) == RENDERING_CONTRACT
    quotes = sqlite3.connect(corpus_db).execute("SELECT count(*) FROM quotes").fetchone()[0]
    assert len(renderings) == quotes
    shown = [r for r in renderings if "same_passage" not in r["flags"]]  # counted as the trail shows them
    assert len(shown) == sum(u["n_renderings"] for u in utterances)


def test_a_rerun_groups_nothing_new(corpus_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(corpus_db.read_bytes())
    summary = json.loads(run_cli("analyze", str(CORPUS), "--db", str(copy), "--quiet", "--json").stdout)
    assert summary["trails"] == {"quotes_grouped": 0, "utterances_opened": 0, "utterances_updated": 0}


def test_the_seed_statements_keep_their_own_speakers_and_trails(seeds_db: Path) -> None:
    """The joint statement on Patriot batteries is no speaker: its signers are, a group (session 27; before it
    the statement spoke for itself), and Stoltenberg's "greatest risk" trail holds no quote of another
    statement (issue 18)."""
    connection = sqlite3.connect(seeds_db)
    [(patriot_speaker,)] = connection.execute(
        "SELECT speaker FROM quotes WHERE content_text LIKE '%Patriot battery%'"
    ).fetchall()
    assert patriot_speaker == "NATO members and Ukraine"
    [(aliases, kind)] = connection.execute(
        "SELECT aliases, kind FROM speakers WHERE name = 'NATO members and Ukraine'"
    ).fetchall()
    assert json.loads(aliases) == [] and kind == "group"  # `Ukraine` speaks for itself
    [(risk_quote,)] = connection.execute(
        "SELECT id FROM quotes WHERE kind = 'direct' AND content_text LIKE '%greatest risk%'"
    ).fetchall()
    found = _trail(seeds_db, str(risk_quote))
    assert found["utterance"]["speaker"] == "Jens Stoltenberg"
    for rendering in found["renderings"]:
        content = str(rendering["content_text"])
        assert any(word in content for word in ("victory", "risk", "triumph")), content
        assert not any(word in content for word in ("empower", "Patriot", "dozens", "NATO’s failure")), content
    [(self_flags,)] = connection.execute("SELECT flags FROM renderings WHERE quote_id = ?", (risk_quote,)).fetchall()
    assert json.loads(self_flags) == []
