"""The shopper's search page and the admin page; both talk to the public API like any front end. The
search page reads which attribute facets to show (`AISLE_PAGE_FACETS`) from `GET /v1/page/settings`:
a bookshop's author and format, a clothing shop's colour and size."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import ServicesDep
from api.routes.static import page
from api.schemas.page import PageFacet, PageSettings

router = APIRouter()


@router.get("/", include_in_schema=False)
async def index_page() -> FileResponse:
    return page("index.html")


@router.get("/admin", include_in_schema=False)
async def admin_page() -> FileResponse:
    return page("admin.html")


@router.get(
    "/v1/page/settings", response_model=PageSettings, tags=["ui"], summary="The search page's settings"
)
async def page_settings(services: ServicesDep) -> PageSettings:
    facets = services.settings.page_facets
    return PageSettings(
        attribute_facets=[PageFacet(name=name, title=title) for name, title in facets.items()]
    )
