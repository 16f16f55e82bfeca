"""The routes only the bundled pages need, gathered under one router for `api.main`.

- `pages`: the shopper's search page (`/`) and the admin page (`/admin`);
- `static`: their files under `/static/` (`api/static/`, no build step);
- `suggestions`: `GET /v1/suggest?prefix=`, popular queries for the search box;
- `images`: `GET /v1/products/{id}/image`, the product's picture;
- `admin`: `/v1/admin/...`, ranker versions, rollouts, rollback, event counts and the update job.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import admin, images, pages, static, suggestions

router = APIRouter()
for module in (pages, static, suggestions, images, admin):
    router.include_router(module.router)
