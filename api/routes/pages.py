"""The shopper's search page and the admin page; both talk to the public API like any front end."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.routes.static import page

router = APIRouter()


@router.get("/", include_in_schema=False)
async def index_page() -> FileResponse:
    return page("index.html")


@router.get("/admin", include_in_schema=False)
async def admin_page() -> FileResponse:
    return page("admin.html")
