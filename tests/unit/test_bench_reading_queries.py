"""`bench.reading_queries` keeps exactly the queries that have a reading of the asked kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.reading_queries import main


def test_keeps_the_queries_with_a_size_reading_and_the_header(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("query_id\tquery\nq1\tdewalt 18v battery\nq2\thammer\nq3\tfire pit\n")
    out = tmp_path / "out.tsv"
    assert main([str(queries), str(out)]) == 0
    assert out.read_text().splitlines() == ["query_id\tquery", "q1\tdewalt 18v battery"]
    assert main([str(queries), str(out), "--kind", "joined"]) == 0
    assert out.read_text().splitlines() == ["query_id\tquery", "q3\tfire pit"]


def test_a_malformed_line_is_named_by_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("query_id\tquery\nq1\t18v\nbroken line\n")
    assert main([str(queries), str(tmp_path / "out.tsv")]) == 1
    assert f"{queries}:3" in capsys.readouterr().err
