"""bench.relevance's summary of answer sizes (mean `total`, share of empty answers), and its refusal
to score degraded answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.relevance import UnfitAnswers, run_method, sizes


def test_sizes_are_the_mean_total_and_the_share_of_empty_answers() -> None:
    assert sizes({"q1": 0, "q2": 10, "q3": 2, "q4": 0}) == {"mean_total": 3.0, "zero_total_share": 0.5}
    assert sizes({}) == {"mean_total": 0.0, "zero_total_share": 0.0}  # no queries: no division by zero


class DegradingGateway(BaseHTTPRequestHandler):
    """Answers every search; queries containing "slow" come back degraded (lexical only)."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        degraded = ["dense", "ranker"] if "slow" in body["query"] else []
        answer = json.dumps({"hits": [{"id": "p1"}], "total": 1, "degraded": degraded}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), DegradingGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_degraded_answers_are_refused_not_scored(gateway: str) -> None:
    runs, totals = run_method(gateway, "full", [("q1", "red shoes"), ("q2", "blue shoes")], 2)
    assert runs == {"q1": ["p1"], "q2": ["p1"]} and totals == {"q1": 1, "q2": 1}
    queries = [("q1", "red shoes"), ("q2", "slow shoes"), ("q3", "slow lamp")]
    with pytest.raises(UnfitAnswers, match=r"2 of 3 answers were degraded \(dense 2, ranker 2\)"):
        run_method(gateway, "full", queries, 2)
