"""Request body size limit, enforced before any route reads or parses the body.

A route that calls `await request.json()` has already buffered the whole body and built its Python
objects by the time validation could refuse it: a 200 MB upload costs hundreds of MB of gateway memory
first. This plain ASGI middleware refuses early instead:

- a declared `Content-Length` above the limit is answered 413 at once, nothing read;
- a chunked (or lying) body is counted as it streams in and cut off with 413 the moment it passes the
  limit, so at most `max_bytes` plus one chunk is ever held.

The limit is `AISLE_MAX_BODY_BYTES` (`Settings.max_body_bytes`); the error body is the gateway's usual
`{"error": {"code": "too_large", "message": ...}}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _message(limit: int) -> str:
    return f"the request body is larger than {limit} bytes (AISLE_MAX_BODY_BYTES)"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit.

    An `HTTPException` because FastAPI turns any other exception met while reading a body into a 400;
    this one it re-raises, and the gateway's handler answers 413 with the JSON error body.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


def _too_large_body(limit: int) -> bytes:
    return json.dumps({"error": {"code": "too_large", "message": _message(limit)}}).encode()


class BodyLimit:
    """`limit(scope)` gives the byte limit per request (read from the app's settings, which exist only
    once the app has started)."""

    def __init__(self, app: ASGIApp, limit: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > max_bytes:
            await self._refuse(send, max_bytes)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, max_bytes)

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        body = _too_large_body(max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
