"""`bench.typo_cost` on a small embedded index: both ways answer alike and each is timed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import typo_cost
from engine.lexical.embedded import EmbeddedLexical
from engine.records import Product


def test_times_both_ways_and_finds_the_same_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = ["Claw hammer", "Cordless drill", "Walnut cutting board", "Garden hose", "Hose reel cart"]
    EmbeddedLexical(tmp_path / "lexical").rebuild([Product(f"p{i}", t) for i, t in enumerate(titles)])
    queries = tmp_path / "q.tsv"
    queries.write_text("query_id\tquery\n1\thammre\n2\tcordles dril\n3\twalnut boar\n4\those\n5\txyzzy\n")
    out = tmp_path / "cost.json"
    assert typo_cost.main([str(tmp_path / "lexical"), str(queries), "--rounds", "1", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["queries"] == 5 and report["answers_differing"] == 0
    assert report["spell index"]["median_cpu_ms"] > 0 and report["automaton"]["median_cpu_ms"] > 0
    assert "answers differing: 0" in capsys.readouterr().out


def test_refuses_what_is_not_an_index(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("query_id\tquery\n1\thammer\n")
    assert typo_cost.main([str(tmp_path), str(queries)]) == 1
    with pytest.raises(SystemExit) as exit_info:
        typo_cost.main([str(tmp_path), str(queries), "--limit", "0"])
    assert exit_info.value.code == 2
