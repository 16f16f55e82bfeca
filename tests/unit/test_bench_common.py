"""Benchmark backend selection: the environment it sets and the index cache key (no servers)."""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import common
from bench.common import add_backend_args, backend_env, bench_settings, file_checksum, stop_group, wait_warm

URL = "http://127.0.0.1:9200"


@pytest.fixture(autouse=True)
def clean_env() -> Iterator[None]:
    """`bench_settings` exports what the gateway child must see; put the environment back after."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("AISLE_")]:
        del os.environ[key]
    os.environ["AISLE_TRITON_URL"] = "127.0.0.1:8001"
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_defaults_keep_faiss_and_the_embedded_index() -> None:
    assert backend_env(None, None, None) == {"AISLE_OPENSEARCH_URL": "embedded"}


def test_a_url_puts_the_lexical_index_in_that_cluster() -> None:
    assert backend_env(None, None, URL) == {"AISLE_OPENSEARCH_URL": URL}
    assert backend_env("opensearch-knn", None, URL) == {
        "AISLE_OPENSEARCH_URL": URL,
        "AISLE_VECTOR_BACKEND": "opensearch-knn",
    }
    assert backend_env("faiss", "embedded", URL) == {
        "AISLE_OPENSEARCH_URL": "embedded",
        "AISLE_VECTOR_BACKEND": "faiss",
    }
    os.environ["AISLE_OPENSEARCH_URL"] = URL
    assert backend_env(None, "opensearch", None) == {"AISLE_OPENSEARCH_URL": URL}


def test_combinations_that_cannot_run_are_refused() -> None:
    with pytest.raises(ValueError, match="--opensearch-url"):
        backend_env(None, "opensearch", None)
    with pytest.raises(ValueError, match="opensearch-knn"):
        backend_env("opensearch-knn", None, None)
    with pytest.raises(ValueError, match="opensearch-knn"):
        backend_env("opensearch-knn", "embedded", URL)
    os.environ["AISLE_VECTOR_BACKEND"] = "opensearch-knn"
    with pytest.raises(ValueError, match="opensearch-knn"):
        backend_env(None, None, None)


def test_the_cache_key_names_the_backends(tmp_path: Path) -> None:
    products = tmp_path / "products.jsonl"
    products.write_text('{"id": "1", "title": "lamp"}\n')
    checksum = file_checksum(products)[:16]
    root = tmp_path / "bench"

    settings, env = bench_settings(products, root, backend_env(None, None, None))
    assert settings.data_dir == root.resolve() / checksum  # unchanged: old caches are reused
    assert "AISLE_INDEX_ALIAS" not in env

    settings, env = bench_settings(products, root, backend_env(None, None, URL))
    assert settings.data_dir.name == f"{checksum}-opensearch-faiss"
    assert env["AISLE_INDEX_ALIAS"] == f"bench-{checksum}-opensearch-faiss"

    settings, env = bench_settings(products, root, backend_env("opensearch-knn", None, URL))
    assert (settings.vector_backend, settings.opensearch_url) == ("opensearch-knn", URL)
    assert settings.data_dir.name == f"{checksum}-opensearch-opensearch-knn"
    assert settings.index_alias == f"bench-{checksum}-opensearch-opensearch-knn"
    assert env["AISLE_VECTOR_BACKEND"] == "opensearch-knn"  # what the gateway process is given


def test_the_flags_parse_into_the_backend_choices() -> None:
    parser = argparse.ArgumentParser()
    add_backend_args(parser)
    args = parser.parse_args(["--vectors", "opensearch-knn", "--opensearch-url", URL])
    assert (args.vectors, args.lexical, args.opensearch_url) == ("opensearch-knn", None, URL)
    with pytest.raises(SystemExit):
        parser.parse_args(["--vectors", "annoy"])


def test_process_tree_and_cpu_seconds_follow_a_busy_child() -> None:
    import os
    import subprocess
    import sys
    import time

    from bench.common import cpu_seconds, process_tree

    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass",
        ]
    )
    try:
        assert child.pid in process_tree(os.getpid())
        time.sleep(0.2)
        before = cpu_seconds([child.pid])
        child.wait(30)
    finally:
        child.kill()
    assert before > 0.0
    assert cpu_seconds([child.pid]) == 0.0  # gone: counts as nothing
    assert process_tree(child.pid) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        if Path(f"/proc/{pid}").exists()
        else ""
    )
    return state != "Z"


@pytest.mark.parametrize("ignores_term", [False, True])
def test_stop_group_stops_the_child_and_what_it_started(ignores_term: bool, tmp_path: Path) -> None:
    pids = tmp_path / "grandchild.pid"
    trap = "trap '' TERM; " if ignores_term else ""
    process = subprocess.Popen(
        ["bash", "-c", f"{trap}sleep 60 & echo $! > {pids}; wait"], start_new_session=True
    )
    deadline = time.monotonic() + 10
    while not (pids.is_file() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = int(pids.read_text())
    started = time.monotonic()
    stop_group(process, grace_s=1.0)
    assert process.returncode is not None
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)
    # A child that ignores SIGTERM is killed once the grace period is over, not waited for forever.
    assert (time.monotonic() - started >= 1.0) == ignores_term


class _Answer:
    def __init__(self, cached: int, count: int = 100) -> None:
        self.body = {"ready": True, "checks": {"index": {"count": count, "cached_products": cached}}}

    def json(self) -> dict[str, object]:
        return self.body


def test_wait_warm_needs_every_answer_in_a_row_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers answer in turn, one still cold: warm only once both say so, `confirmations` times."""
    answers = iter([_Answer(100), _Answer(40)] * 3 + [_Answer(100)] * 4)
    monkeypatch.setattr(common.httpx, "get", lambda url, timeout: next(answers))
    monkeypatch.setattr(common.time, "sleep", lambda s: None)
    assert wait_warm("http://gateway", timeout_s=60.0, confirmations=4) is not None
    assert next(answers, None) is None  # it asked until the fourth warm answer in a row


def test_wait_warm_waits_for_the_range_search_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    building, ready = _Answer(100), _Answer(100)
    building.body["checks"]["index"]["range_search"] = "building"  # type: ignore[index]
    ready.body["checks"]["index"]["range_search"] = "ready"  # type: ignore[index]
    answers = iter([building] * 3 + [ready] * 2)
    monkeypatch.setattr(common.httpx, "get", lambda url, timeout: next(answers))
    monkeypatch.setattr(common.time, "sleep", lambda s: None)
    assert wait_warm("http://gateway", timeout_s=60.0, confirmations=2) is not None
    assert next(answers, None) is None


def test_wait_warm_gives_up_on_a_catalog_larger_than_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.httpx, "get", lambda url, timeout: _Answer(0))
    assert wait_warm("http://gateway", timeout_s=0.3, confirmations=2) is None


def test_the_gateway_runs_on_either_asgi_server() -> None:
    from bench.common import server_command

    uvicorn = server_command("uvicorn", 8123, 2)
    assert uvicorn[1:4] == ["-m", "uvicorn", "api.main:app"]
    granian = server_command("granian", 8123, 2)
    assert granian[1:5] == ["-m", "granian", "--interface", "asgi"] and granian[-1] == "api.main:app"
    for command in (uvicorn, granian):
        assert command[command.index("--port") + 1] == "8123" and "--no-access-log" in command
        assert command[command.index("--workers") + 1] == "2"
    with pytest.raises(ValueError, match="unknown server"):
        server_command("gunicorn", 8123, 1)
