"""The gateway's OpenAPI document, complete: every `$ref` in it names a component that exists.

`POST /v1/search` reads its body itself (JSON or multipart with an image upload), so FastAPI never sees
`SearchRequest` as a parameter and would leave the route's `$ref` to it dangling; generated clients and
fuzzers then cannot build a search body. `install_openapi` adds such models (and the models they refer
to) to `components.schemas` when the document is first built.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF_TEMPLATE = "#/components/schemas/{model}"


def install_openapi(app: FastAPI, body_models: tuple[type[BaseModel], ...]) -> None:
    """Make `app.openapi()` include `body_models` among the component schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            _, extra = models_json_schema(
                [(model, "validation") for model in body_models], ref_template=REF_TEMPLATE
            )
            for name, schema in extra.get("$defs", {}).items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
