"""`ext.ubi` on a search: the client's UBI `query_id` becomes the search's id, so UBI events quoting it
join the list this gateway served and logged (what OpenSearch's UBI plugin does for its own searches)."""

from __future__ import annotations

from api.deps import Services
from api.present import new_search_id
from api.schemas.ubi import UbiSearchExt
from engine.errors import InvalidInput


def ubi_search_id(services: Services, ubi: UbiSearchExt | None) -> str:
    """The id to log this search under: the client's query_id when given (it must be new, or its events
    would join an older list), else a fresh one."""
    if ubi is None or ubi.query_id is None:
        return new_search_id()
    if services.impressions.known(ubi.query_id):
        raise InvalidInput("ext.ubi.query_id: already used by an earlier search; send a new id per query")
    return ubi.query_id


def ubi_extra(ubi: UbiSearchExt | None) -> dict[str, object]:
    """What the impression keeps of the UBI request (for analytics joins on the client's own fields)."""
    if ubi is None:
        return {}
    kept = ubi.model_dump(exclude_none=True, exclude={"query_id"})
    if not kept.get("query_attributes"):
        kept.pop("query_attributes", None)
    return {"ubi": kept} if kept else {}
