"""bench.relevance's summary of answer sizes (mean `total`, share of empty answers), and its refusal
to score degraded answers, and the order it asks for."""

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
        hits = (
            [{"id": "p1"}, {"id": "p2"}] if body.get("sort") == "relevance" else [{"id": "p2"}, {"id": "p1"}]
        )
        answer = json.dumps({"hits": hits, "total": 2, "degraded": degraded}).encode()
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
    assert runs == {"q1": ["p1", "p2"], "q2": ["p1", "p2"]} and totals == {"q1": 2, "q2": 2}
    queries = [("q1", "red shoes"), ("q2", "slow shoes"), ("q3", "slow lamp")]
    with pytest.raises(UnfitAnswers, match=r"2 of 3 answers were degraded \(dense 2, ranker 2\)"):
        run_method(gateway, "full", queries, 2)


def test_the_order_asked_for_is_the_one_scored(gateway: str) -> None:
    runs, _ = run_method(gateway, "full", [("q1", "red shoes")], 1, sort="price_asc")
    assert runs == {"q1": ["p2", "p1"]}
