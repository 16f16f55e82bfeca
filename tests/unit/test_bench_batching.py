"""bench.batching's repository copy: the batched models get the queue delay under test, nothing else
changes, and a config without a delay to set is refused (no servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.batching import repository_with_delay
from engine.config import PROJECT_ROOT
from engine.triton.repository import read_config

SOURCE = PROJECT_ROOT / "model_repository"


def test_the_copy_carries_the_delay_for_the_encoder_and_the_ranker(tmp_path: Path) -> None:
    copy = repository_with_delay(SOURCE, tmp_path / "repo", 1500)
    for model in ("query_encoder", "ranker"):
        config = read_config(copy / model / "config.pbtxt")
        assert config.dynamic_batching.max_queue_delay_microseconds == 1500
        original = read_config(SOURCE / model / "config.pbtxt")
        config.dynamic_batching.max_queue_delay_microseconds = (
            original.dynamic_batching.max_queue_delay_microseconds
        )
        assert config == original  # only the delay differs
    assert (copy / "clip" / "config.pbtxt").read_text() == (SOURCE / "clip" / "config.pbtxt").read_text()
    assert (copy / "ranker" / "1").is_dir()  # versions come along


def test_a_config_without_a_delay_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for model in ("query_encoder", "ranker"):
        (source / model).mkdir(parents=True)
        (source / model / "config.pbtxt").write_text(f'name: "{model}"\nmax_batch_size: 8\n')
    with pytest.raises(ValueError, match="max_queue_delay_microseconds"):
        repository_with_delay(source, tmp_path / "copy", 1000)
