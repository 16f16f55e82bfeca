"""`GET /v1/products/{id}/image`: the product's picture.

Local paths are served only from inside the indexed catalog's directory or the bundled sample images
(anything else is 404); http(s) references are redirected to.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.schemas.common import ERROR_RESPONSES
from engine.errors import NotFound
from engine.sample import sample_images_dir

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}

router = APIRouter()


def image_roots(services: Services) -> list[tuple[Path, Path]]:
    """(base for relative paths, folder files must be inside): the catalog's and the sample images'."""
    roots = [(sample_images_dir().parent, sample_images_dir())]
    source = getattr(services.catalog.manifest, "source", "") if services.catalog_error is None else ""
    if source:
        folder = Path(source).resolve().parent
        roots.insert(0, (folder, folder))
    return roots


def resolve_image(reference: str, roots: list[tuple[Path, Path]]) -> Path | None:
    """The file a local image reference names, if it is an image inside an allowed folder."""
    if Path(reference).suffix.lower() not in IMAGE_TYPES:
        return None
    for base, folder in roots:
        candidate = (base / reference).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    return None


def _product_image(services: Services, product_id: str) -> Response:
    found = services.products([product_id])
    product = found.get(product_id)
    if product is None:
        raise NotFound(f"no product with id {product_id!r}")
    reference = (product.image or "").strip()
    if reference.startswith(("http://", "https://")):
        return RedirectResponse(reference, status_code=307)
    path = resolve_image(reference, image_roots(services)) if reference else None
    if path is None:
        raise NotFound(f"product {product_id!r} has no image this gateway can serve")
    return FileResponse(
        path, media_type=IMAGE_TYPES[path.suffix.lower()], headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/v1/products/{product_id}/image",
    responses=ERROR_RESPONSES,
    tags=["products"],
    summary="The product's picture",
    response_class=Response,
)
async def product_image(product_id: str, services: ServicesDep) -> Response:
    return await run_in_threadpool(_product_image, services, product_id)
