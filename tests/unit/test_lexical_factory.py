"""Choosing the lexical backend, and the one-line configuration errors for a bad OpenSearch URL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.config import load_settings
from engine.errors import ConfigError
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.factory import create_lexical
from engine.ports import free_port


@pytest.fixture
def http_answering(request: pytest.FixtureRequest) -> Iterator[str]:
    """A local HTTP server that is not OpenSearch: answers every request with `request.param`."""
    status = request.param

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"error": "nope"}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_embedded_is_the_default(tmp_path) -> None:
    index = create_lexical(load_settings(data_dir=tmp_path))
    assert isinstance(index, EmbeddedLexical)


def test_unreachable_url_is_a_config_error_naming_the_setting(tmp_path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = load_settings(data_dir=tmp_path, opensearch_url=url, opensearch_timeout_s=30)
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        create_lexical(settings)
    assert time.monotonic() - started < 3, "no long retries before reporting"
    assert str(caught.value) == f"AISLE_OPENSEARCH_URL: cannot reach {url} (connection refused)"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("http_answering", [404], indirect=True)
def test_a_server_that_is_not_opensearch_is_a_config_error(tmp_path, http_answering: str) -> None:
    settings = load_settings(data_dir=tmp_path, opensearch_url=http_answering)
    with pytest.raises(ConfigError, match=r"^AISLE_OPENSEARCH_URL: .* answered 404, not OpenSearch$"):
        create_lexical(settings)


@pytest.mark.parametrize("http_answering", [401], indirect=True)
def test_rejected_credentials_name_the_credential_settings(tmp_path, http_answering: str) -> None:
    settings = load_settings(
        data_dir=tmp_path, opensearch_url=http_answering, opensearch_user="u", opensearch_password="p"
    )
    with pytest.raises(ConfigError, match="AISLE_OPENSEARCH_USER / AISLE_OPENSEARCH_PASSWORD"):
        create_lexical(settings)


def test_a_bad_url_is_rejected_by_settings() -> None:
    with pytest.raises(ConfigError, match="AISLE_OPENSEARCH_URL"):
        load_settings(opensearch_url="localhost:9200")
