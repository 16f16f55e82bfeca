"""Request and response bodies of the synonym admin endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SynonymSets(BaseModel):
    synonyms: list[list[str]] = Field(
        max_length=10_000,
        description='Sets of equivalent words or phrases, e.g. [["sofa", "couch"], ["tv", "television"]]. '
        "A query word equal to one entry also matches the others. The whole list is replaced.",
        examples=[[["sofa", "couch", "settee"], ["tv", "television"]]],
    )
