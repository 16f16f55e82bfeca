"""open_event_log: the same log for every process with the same settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import ConfigError
from engine.events.base import Event
from engine.events.embedded import EmbeddedEventLog
from engine.events.factory import open_event_log


def test_embedded_by_default_under_the_data_dir_and_shared(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    writer, reader = open_event_log(settings), open_event_log(settings)
    try:
        assert isinstance(writer, EmbeddedEventLog)
        assert (tmp_path / "events" / "events.sqlite3").is_file()
        writer.append_events(
            [Event(event_id="e1", type="click", product_id="p1", timestamp=1.0, search_id="s1")]
        )
        assert reader.last_offset() == writer.last_offset() == 1
    finally:
        writer.close()
        reader.close()


def test_kafka_without_a_bootstrap_names_the_variable(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, event_log="kafka")
    with pytest.raises(ConfigError, match="AISLE_KAFKA_BOOTSTRAP"):
        open_event_log(settings)
