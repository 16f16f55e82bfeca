"""Health endpoints' responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Alive(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, Any]
