"""CORS for the public endpoints only: a shop's pages on another origin may search and report events.

A storefront served from `https://shop.example` calling a gateway on `https://search.shop.example` is a
cross-origin request: the browser sends a preflight (OPTIONS) before a JSON POST and hides answers that
lack `Access-Control-Allow-Origin`. `AISLE_CORS_ORIGINS` lists the origins allowed (default none: same
origin only, no CORS headers at all). Only the endpoints a shopper's browser calls get them (`PUBLIC`:
search, suggestions, events, UBI, InstantSearch and Insights); admin and catalog writes never do, so a
page on an allowed origin still cannot drive them from a shopper's browser. No credentials are allowed
(the public endpoints take none).
"""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC = re.compile(
    r"^/(v1/(search|suggest|events|ubi/queries|ubi/events)|1/indexes/[^/]+/(queries|query)|1/events)$"
)
MAX_AGE_S = 600  # browsers cache a preflight this long


class PublicCors:
    """Plain ASGI: requests to `PUBLIC` paths go through Starlette's CORS handling, the rest straight on."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app, allow_origins=origins, allow_methods=["GET", "POST"], allow_headers=["*"], max_age=MAX_AGE_S
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and PUBLIC.match(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
