"""`bench.query_precision`: usage errors exit 2 before any model is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.query_precision import parse_args


def test_bad_flags_are_usage_errors(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("1\tcordless drill\n")
    base = ["--queries", str(queries), "--data-dir", str(tmp_path)]
    assert parse_args([*base, "--limit", "10", "--timed", "5"]).timed == 5
    for bad in (["--timed", "0"], ["--limit", "5", "--timed", "6"], ["--rounds", "0"]):
        with pytest.raises(SystemExit) as exit_:
            parse_args([*base, *bad])
        assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--queries", str(tmp_path / "missing.tsv"), "--data-dir", str(tmp_path)])
    assert exit_.value.code == 2
