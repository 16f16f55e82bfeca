"""Starting a local Ray node: a startup timeout (a busy machine) is tried again; anything else is not."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.distributed import start_ray


class FlakyRay:
    """Stands in for the `ray` module: fails `failures` starts with `error`, then starts."""

    def __init__(self, failures: int, error: str) -> None:
        self.failures, self.error = failures, error
        self.inits: list[dict[str, Any]] = []
        self.shutdowns = 0

    def init(self, address: str | None = None, **options: Any) -> None:
        self.inits.append({"address": address, **options})
        if len(self.inits) <= self.failures:
            raise Exception(self.error)

    def shutdown(self) -> None:
        self.shutdowns += 1


TIMEOUT = "The current node timed out during startup. This could happen because ..."


def test_a_startup_timeout_is_tried_again_with_the_same_options() -> None:
    ray = FlakyRay(failures=2, error=TIMEOUT)
    start_ray(ray, num_cpus=2)
    assert len(ray.inits) == 3 and ray.shutdowns == 2
    assert all(call["num_cpus"] == 2 and call["include_dashboard"] is False for call in ray.inits)


def test_the_last_timeout_is_raised() -> None:
    ray = FlakyRay(failures=5, error=TIMEOUT)
    with pytest.raises(Exception, match="timed out during startup"):
        start_ray(ray, attempts=3)
    assert len(ray.inits) == 3


def test_other_errors_are_not_retried() -> None:
    ray = FlakyRay(failures=1, error="address 10.0.0.9:6379 refused")
    with pytest.raises(Exception, match="refused"):
        start_ray(ray, address="10.0.0.9:6379")
    assert len(ray.inits) == 1
