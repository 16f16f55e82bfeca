"""Request and response shapes of the admin API (`/v1/admin/...`).

Rollout and update-run records are the append-only log's entries as written by the learning job; they
are passed through as objects (large per-run internals left out), so a field the job adds later shows
up without a schema change. Everything around them is typed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ValidatedOut(BaseModel):
    """How a version was validated (`engine.learning.history`)."""

    version: int
    gate: str = Field(description="prior, judgements, check set, trial, forced or none.")
    passed: bool
    summary: str
    details: dict[str, Any] = Field(default_factory=dict)


class RankerVersionOut(BaseModel):
    version: int
    created_at: str
    kind: str | None = Field(description="judgements (offline), clicks (update job) or prior.")
    parent: int | None = Field(description="The version a click update started from.")
    validation: dict[str, Any] = Field(description="What the version was judged by when it was made.")
    validated: ValidatedOut | None = Field(None, description="Its gate and whether it passed.")


class RankersOut(BaseModel):
    serving: int | None = Field(description="The version the rollout log says is served.")
    answering: int | None = Field(description="The version the model server reports as loaded.")
    previous: int | None = Field(description="The version served before the last rollout or rollback.")
    rollback_to: ValidatedOut | None = Field(
        None, description="The newest kept version that passed its gate: what a rollback offers."
    )
    versions: list[RankerVersionOut]


class RollbackIn(BaseModel):
    version: int = Field(ge=1)


class RolloutRecord(BaseModel):
    """One rollout or rollback as recorded (further fields of the record are kept)."""

    model_config = ConfigDict(extra="allow")

    action: str
    version: int
    previous: int | None = None


class RolloutsOut(BaseModel):
    rollouts: list[dict[str, Any]] = Field(description="Newest first, without per-run internals.")


class EventCountsOut(BaseModel):
    counts: dict[str, int]
    last_offset: int


class CheckpointOut(BaseModel):
    offset: int
    runs: int
    updated_at: float | None


class UpdateJobOut(BaseModel):
    checkpoint: CheckpointOut
    unread_records: int
    last_run: dict[str, Any] | None = Field(description="The newest recorded run, without its internals.")
