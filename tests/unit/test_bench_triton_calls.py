"""bench.triton_calls: its argument checks and how it names Triton's processes (no server here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.triton_calls import parse_args, process_role, role_of


def test_refuses_bad_counts_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    products, queries = tmp_path / "p.jsonl", tmp_path / "q.tsv"
    products.write_text("{}\n")
    queries.write_text("q1\tdrill\n")
    base = ["--products", str(products), "--queries", str(queries)]
    assert parse_args(base).rows == 100
    for bad, named in (
        (["--calls", "0"], "--calls"),
        (["--gap-ms", "-1"], "--gap-ms"),
        (["--rows", "0"], "--rows"),
    ):
        with pytest.raises(SystemExit) as stopped:
            parse_args(base + bad)
        assert stopped.value.code == 2
        assert named in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--products", str(tmp_path / "absent.jsonl"), "--queries", str(queries)])
    assert "no such file" in capsys.readouterr().err


def test_names_a_stub_by_the_model_in_its_command_line() -> None:
    stub = ["/opt/triton_python_backend_stub", "/data/model_repository/ranker/1/model.py", "ranker_0_0"]
    assert role_of(stub) == "stub ranker"
    server = ["/opt/tritonserver", "--model-repository=/data/model_repository", "--http-port=8000"]
    assert role_of(server) == "server"
    assert process_role(os.getpid()) == "server"
    assert process_role(2**22 + 7) == "gone"  # above any pid this kernel hands out by default
