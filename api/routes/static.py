"""The pages' files in `api/static/` (HTML, CSS, JS; no build step), served with a strict policy."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# The pages load nothing from elsewhere except product pictures given as https URLs.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

router = APIRouter()
_static = StaticFiles(directory=STATIC_DIR)


def page(name: str) -> FileResponse:
    """An HTML page of `api/static` with the pages' headers."""
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=PAGE_HEADERS)


@router.get("/static/{path:path}", include_in_schema=False)
async def static_file(path: str, request: Request) -> Response:
    """Files of `api/static` with ETag revalidation (StaticFiles refuses paths that leave the folder)."""
    response = await _static.get_response(path, request.scope)
    response.headers.update(PAGE_HEADERS)
    return response
