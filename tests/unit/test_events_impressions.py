"""The impression writer: every submitted impression reaches the log in order, in group commits."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from engine.events.base import Impression
from engine.events.embedded import EmbeddedEventLog
from engine.events.impressions import ImpressionWriter
from tests.unit.test_events_embedded import impression


class GatedLog(EmbeddedEventLog):
    """The embedded log whose first write waits for a gate, recording the size of every write."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.writing = threading.Event()
        self.batches: list[int] = []

    def append_impressions(self, impressions: Sequence[Impression]) -> list[int]:
        self.writing.set()
        self.gate.wait(10)
        self.batches.append(len(impressions))
        return super().append_impressions(impressions)


def test_impressions_queued_during_a_write_go_out_together_in_order(tmp_path: Path) -> None:
    log = GatedLog(tmp_path / "log.db")
    writer = ImpressionWriter(log)
    writer.submit(impression("s0"))
    assert log.writing.wait(10)
    for i in range(1, 11):
        writer.submit(impression(f"s{i}"))
    log.gate.set()
    assert writer.flush()
    writer.close()
    assert log.batches == [1, 10]
    stored = [r.impression.search_id for r in log.read(0) if r.impression is not None]
    assert stored == [f"s{i}" for i in range(11)]
    assert writer.failed == 0


def test_a_failed_group_write_is_counted_and_the_writer_goes_on(tmp_path: Path) -> None:
    class FailingOnce(EmbeddedEventLog):
        calls = 0

        def append_impressions(self, impressions: Sequence[Impression]) -> list[int]:
            self.calls += 1
            if self.calls == 1:
                raise OSError("disk full")
            return super().append_impressions(impressions)

    log = FailingOnce(tmp_path / "log.db")
    writer = ImpressionWriter(log)
    writer.submit(impression("lost"))
    assert writer.flush()
    writer.submit(impression("kept"))
    assert writer.flush()
    writer.close()
    assert writer.failed == 1
    assert [r.impression.search_id for r in log.read(0) if r.impression is not None] == ["kept"]
