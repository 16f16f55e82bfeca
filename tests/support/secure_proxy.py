"""An HTTPS + basic-auth reverse proxy in front of a plain-http OpenSearch, for tests.

The compose deployment runs OpenSearch with its security plugin: TLS on 9200 and HTTP basic auth, 401
for a missing or wrong password. The test node has no security plugin, so this proxy adds exactly that
layer on loopback: a CA and a server certificate generated at test time (tests.support.tls), a
password check in front of every request, and a plain forward of what passes to the real node.

It records every request (`requests`) and every failed TLS handshake (`tls_failures`), so a test can
prove the client authenticated and verified what it was meant to.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import http.client
import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from tests.support.tls import TlsFiles, make_tls

__all__ = ["SecureProxy", "Seen", "TlsFiles", "make_tls"]

# Hop-by-hop headers (RFC 9110 7.6.1) are never forwarded; Content-Length is recomputed.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
REALM = 'Basic realm="OpenSearch Security"'


@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it. `user` is None when no valid credentials came with it."""

    method: str
    path: str
    user: str | None
    status: int


class _Server(ThreadingHTTPServer):
    """TLS is negotiated in each connection's own thread, so a client that rejects the certificate
    fails only its connection, never the accept loop."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, proxy: SecureProxy, context: ssl.SSLContext) -> None:
        self.proxy = proxy
        self.context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(30)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.proxy._record_tls_failure(str(exc))
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            with contextlib.suppress(OSError):
                tls.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read `SecureProxy.requests` instead

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _handle(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        if body is None:
            return
        user = proxy._authenticate(self.headers.get("Authorization", ""))
        if user is None:
            self._reply_json(401, {"error": "Unauthorized", "status": 401}, {"WWW-Authenticate": REALM})
            return
        try:
            status, headers, payload = proxy._forward(self.command, self.path, dict(self.headers), body)
        except OSError as exc:
            self._reply_json(502, {"error": f"upstream: {exc}", "status": 502})
            return
        proxy._record(Seen(self.command, self.path, user, status))
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._reply_json(411, {"error": "chunked request bodies are not supported", "status": 411})
            return None
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.server.proxy._record(Seen(self.command, self.path, None, status))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class SecureProxy:
    """`https://127.0.0.1:<port>` requiring `user`/`password`, forwarding to `upstream` (http://...).

    Use as a context manager, or call `start()` and `close()`.
    """

    def __init__(self, upstream: str, tls: TlsFiles, user: str, password: str) -> None:
        parsed = urlparse(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"upstream must be http://host:port, got {upstream!r}")
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 80
        self.tls = tls
        self._credentials = f"{user}:{password}".encode()
        self._user = user
        self._lock = threading.Lock()
        self._requests: list[Seen] = []
        self._tls_failures: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls.server_cert), str(tls.server_key))
        self._server = _Server(self, context)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._requests)

    @property
    def tls_failures(self) -> list[str]:
        with self._lock:
            return list(self._tls_failures)

    def reset(self) -> None:
        """Forget what was seen so far (between scenarios sharing one proxy)."""
        with self._lock:
            self._requests.clear()
            self._tls_failures.clear()

    def start(self) -> SecureProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, name="secure-proxy", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SecureProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- used by the request handler --------------------------------------------------------------
    def _authenticate(self, header: str) -> str | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except ValueError:
            return None
        return self._user if hmac.compare_digest(given, self._credentials) else None

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            upstream_headers = {
                k: v
                for k, v in headers.items()
                if k.lower() not in _HOP_BY_HOP and k.lower() != "authorization"
            }
            upstream_headers["Host"] = f"{self.upstream_host}:{self.upstream_port}"
            connection.request(method, path, body=body or None, headers=upstream_headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.getheaders(), payload
        finally:
            connection.close()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._requests.append(seen)

    def _record_tls_failure(self, reason: str) -> None:
        with self._lock:
            self._tls_failures.append(reason)
