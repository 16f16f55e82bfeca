"""The indexing benchmark's arithmetic, sampling, argument parsing and timing wrappers (no servers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.indexing_metrics import (
    Summary,
    Timing,
    best_batch_size,
    combined_rate,
    cpu_model,
    evenly_spaced,
    hardware,
    interleave,
    parse_batch_sizes,
    table_rows,
    thread_env,
)
from bench.indexing_run import BusyClock, _TimedTextEncoder, limited_catalog
from tests.fakes import FakeTextEncoder


def test_rate_is_products_per_second_and_zero_for_an_empty_timing() -> None:
    assert Timing("raw", 500, 2.0).rate == 250.0
    assert Timing("raw", 500, 0.0).rate == 0.0
    assert Timing("raw", 10, 4.0, 32).to_dict()["rate"] == 2.5


def test_runs_are_averaged_by_total_time_not_by_mean_of_rates() -> None:
    # 1000 products in 10 s and in 30 s: 50/s over both, where the mean of rates would say 66.7/s.
    runs = [Timing("raw #1", 1000, 10.0), Timing("raw #3", 1000, 30.0)]
    assert combined_rate(runs) == pytest.approx(50.0)
    assert combined_rate([]) == 0.0


def test_best_batch_size_is_the_fastest_and_the_smaller_one_on_a_tie() -> None:
    sweep = [Timing("s", 100, 2.0, 16), Timing("s", 100, 1.0, 64), Timing("s", 100, 1.0, 128)]
    assert best_batch_size(sweep) == 64
    assert best_batch_size([Timing("s", 100, 3.0, 32), Timing("s", 100, 2.0, 16)]) == 16
    with pytest.raises(ValueError):
        best_batch_size([Timing("s", 100, 1.0)])


def test_summary_ratio_uses_mean_raw_and_mean_pipeline() -> None:
    sweep = [Timing("s", 10, 1.0, 32), Timing("s", 10, 0.5, 64)]
    raw = [Timing("raw", 1000, 9.0, 64), Timing("raw", 1000, 11.0, 64)]  # 100/s together
    pipeline = [Timing("pipeline", 1000, 12.5, 64)]  # 80/s
    summary = Summary.of(sweep, raw, pipeline)
    assert summary.raw_rate == pytest.approx(100.0)
    assert summary.pipeline_rate == pytest.approx(80.0)
    assert summary.ratio == pytest.approx(0.8)
    assert summary.best_batch_size == 64
    assert Summary.of(sweep, [], pipeline).ratio == 0.0


def test_interleave_puts_a_raw_run_on_both_sides_of_every_pipeline_run() -> None:
    assert interleave("r", "p", 1) == ["r", "p", "r"]
    assert interleave("r", "p", 2) == ["r", "p", "r", "p", "r"]
    with pytest.raises(ValueError):
        interleave("r", "p", 0)


def test_evenly_spaced_sample_covers_the_whole_sequence() -> None:
    items = list(range(100))
    sample = evenly_spaced(items, 4)
    assert sample == [0, 25, 50, 75]
    assert evenly_spaced(items, 500) == items
    assert evenly_spaced(items, 0) == []


def test_batch_sizes_are_parsed_sorted_and_checked() -> None:
    assert parse_batch_sizes("64, 16,32,64") == [16, 32, 64]
    for bad in ("16,x", "0", ",,"):
        with pytest.raises(ValueError):
            parse_batch_sizes(bad)


def test_table_ends_with_means_and_ratio() -> None:
    sweep = [Timing("raw sweep", 10, 1.0, 64)]
    runs = [Timing("raw #1", 100, 1.0, 64), Timing("pipeline #2", 100, 2.0, 64, {"embed": 1.5})]
    rows = table_rows(sweep, runs, Summary.of(sweep, runs[:1], runs[1:]))
    assert [row[0] for row in rows] == [
        "raw sweep", "raw #1", "pipeline #2", "raw (mean)", "pipeline (mean)", "ratio"
    ]  # fmt: skip
    assert rows[2][5] == "embed 1.5s"
    assert rows[-1][4] == "50.0%"


def test_cpu_model_and_hardware_come_from_proc(tmp_path: Path) -> None:
    cpuinfo = "processor\t: 0\nmodel name\t: Example CPU 9000\nflags\t: sse\n"
    assert cpu_model(cpuinfo) == "Example CPU 9000"
    (tmp_path / "cpuinfo").write_text(cpuinfo)
    (tmp_path / "meminfo").write_text("MemTotal:       25165824 kB\nMemFree: 1 kB\n")
    info = hardware(tmp_path)
    assert info["cpu_model"] == "Example CPU 9000"
    assert info["memory_gib"] == 24.0
    assert info["cpu_count"] >= 1


def test_thread_env_reports_set_and_unset_variables() -> None:
    env = thread_env({"OMP_NUM_THREADS": "2", "PATH": "/bin"})
    assert env == {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": None, "TOKENIZERS_PARALLELISM": None}


def test_limited_catalog_keeps_the_first_lines(tmp_path: Path) -> None:
    source = tmp_path / "products.jsonl"
    source.write_text("".join(f'{{"id": "p{i}", "title": "t{i}"}}\n' for i in range(10)))
    limited = limited_catalog(source, 3, tmp_path)
    assert limited.read_text().splitlines() == [f'{{"id": "p{i}", "title": "t{i}"}}' for i in range(3)]
    assert limited_catalog(source, None, tmp_path) == source


def test_timed_encoder_counts_busy_time_and_passes_results_through() -> None:
    class Pipelined(FakeTextEncoder):
        def encode_many(self, texts, batch_size=64, in_flight=4):
            return self.encode(texts)

    clock = BusyClock()
    inner = Pipelined()
    timed = _TimedTextEncoder(inner, clock)
    vectors = timed.encode_many(["a", "b"], batch_size=8, in_flight=2)
    np.testing.assert_allclose(vectors, inner.encode(["a", "b"]))
    assert timed.info() == inner.info()
    assert clock.seconds["embed"] > 0


def test_pipeline_sends_texts_longest_first_and_returns_them_in_input_order() -> None:
    """The padding saving the benchmark relies on (indexer.embedding.encode_texts)."""
    from indexer.embedding import EmbedOptions, encode_texts, length_order
    from tests.fakes import hashed_vectors

    class Recording(FakeTextEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.sent: list[str] = []

        def encode_many(self, texts, batch_size=64, in_flight=4):
            self.sent = list(texts)
            return hashed_vectors(texts, self.info().dim)

    texts = ["mid size", "a", "the longest text of all", "bb", "mid size"]
    encoder = Recording()
    vectors = encode_texts(encoder, texts, EmbedOptions(batch_size=2, in_flight=2))
    assert encoder.sent == ["the longest text of all", "mid size", "mid size", "bb", "a"]
    np.testing.assert_allclose(vectors, hashed_vectors(texts, 32))
    assert list(length_order(["aa", "a", "aaa"])) == [2, 0, 1]
