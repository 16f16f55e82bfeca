"""What the bundled search page reads of the gateway's settings (GET /v1/page/settings)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PageFacet(BaseModel):
    name: str = Field(description="The attribute, counted as facet attr.<name> and filtered by it.")
    title: str = Field(description="The heading the page shows above its values.")


class PageSettings(BaseModel):
    attribute_facets: list[PageFacet] = Field(
        description="The attribute facets the page shows, in order (AISLE_PAGE_FACETS)."
    )
