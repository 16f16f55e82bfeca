"""bench.sizing on tiny indexes: the spec parser, the synthetic vectors and what each layout measures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.sizing import check_specs, main, measure, parse_spec, synthetic_chunks


def test_specs_parse_with_suffixes_and_refuse_nonsense() -> None:
    assert parse_spec("flat:2000") == ("flat", 2000)
    assert parse_spec("hnsw:100k") == ("hnsw", 100_000)
    assert parse_spec("ivfpq:1M") == ("ivfpq", 1_000_000)
    assert parse_spec("flat:1_000") == ("flat", 1000)
    for bad in ("flat", "annoy:10", "flat:", "flat:0", "flat:-5", "flat:ten"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_an_ivfpq_below_its_training_size_is_refused() -> None:
    with pytest.raises(ValueError, match="trained once it holds 9,984"):
        check_specs([("ivfpq", 2000)], 384)
    check_specs([("flat", 10), ("ivfpq", 10_000)], 384)


def test_synthetic_vectors_are_unit_length_chunked_and_reproducible() -> None:
    first = list(synthetic_chunks(25, 8, chunk=10, seed=3))
    assert [len(ids) for ids, _ in first] == [10, 10, 5]
    assert first[2][0] == [f"p{i:08d}" for i in range(20, 25)]
    norms = np.linalg.norm(np.vstack([v for _, v in first]), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)
    again = list(synthetic_chunks(25, 8, chunk=10, seed=3))
    np.testing.assert_array_equal(first[1][1], again[1][1])


def test_flat_holds_four_bytes_per_dimension_plus_the_id() -> None:
    row = measure("flat", 2000, 64, chunk=500, progress=False)
    assert (row["kind"], row["n"], row["dim"]) == ("flat", 2000, 64)
    # IndexIDMap2(IndexFlatIP): d float32 plus one int64 id per vector, plus a small header.
    assert 64 * 4 + 8 <= row["bytes_per_vector_index"] < 64 * 4 + 8 + 2
    assert row["saved_dir_bytes"] > row["index_file_bytes"]  # the id map and manifest come on top
    assert row["bytes_per_vector_index"] == round(row["index_file_bytes"] / 2000, 1)


def test_hnsw_costs_more_than_flat_and_ivfpq_far_less() -> None:
    dim = 32
    flat = measure("flat", 10_000, dim, chunk=5000, progress=False)
    hnsw = measure("hnsw", 2000, dim, chunk=1000, progress=False)
    ivfpq = measure("ivfpq", 10_000, dim, chunk=5000, progress=False)
    # HNSW adds 2*M int32 links per vector on level 0 (M = 32) to the flat float storage.
    assert hnsw["bytes_per_vector_index"] >= dim * 4 + 2 * 32 * 4
    assert ivfpq["bytes_per_vector_index"] < flat["bytes_per_vector_index"] / 2
    assert all(r["build_s"] >= 0 and r["save_s"] >= 0 for r in (flat, hnsw, ivfpq))


def test_main_prints_a_table_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results" / "sizing.json"
    assert (
        main(["--index", "flat:2000", "--dim", "16", "--chunk", "700", "--no-progress", "--out", str(out)])
        == 0
    )
    report = json.loads(out.read_text())
    assert (report["benchmark"], report["dim"], report["chunk"]) == ("sizing", 16, 700)
    [row] = report["results"]
    assert (row["kind"], row["n"]) == ("flat", 2000)
    printed = capsys.readouterr().out
    assert "B/vec index" in printed and "flat" in printed and str(row["bytes_per_vector_index"]) in printed


def test_main_rejects_a_bad_spec(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--index", "ivfpq:500"])
    assert exit_info.value.code == 2
    assert "trained once it holds" in capsys.readouterr().err
