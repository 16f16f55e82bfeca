"""Bodies that routes read themselves (whatever the Content-Type, as front-end protocols send them).

InstantSearch's lite client and the Insights middleware post JSON under a "simple" Content-Type
(not `application/json`) so browsers skip the CORS preflight; these routes read the raw bytes and
validate them here, with the same 422 body as any other request.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


async def read_model(request: Request, model: type[M]) -> M:
    """The body validated as `model` (an empty body counts as `{}`); a 422 naming the field if not."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
