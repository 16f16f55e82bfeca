"""Which queries a query-tower version learned from, so a ranker is not fitted on them afterwards.

A tower fine-tuned on a query's judged pairs scores that query's relevant products far higher than it
can score a query it never saw. A ranker then trained on the same queries' features learns to trust the
dense score by what it is on memorised queries and over-trusts it on every other one: on homedepot, a
both-towers version trained on half of the dev queries lifted held-out `full` nDCG@10 by +0.009, and a
ranker trained afterwards on that same half took it to -0.016 below where it started. Each version
therefore keeps the (normalised) texts of the queries it trained on, and `engine ranker train` and
`engine encoder fusion` leave those out of their judged queries (`without_trained`), for the version
concerned and every version it was trained from.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InvalidInput, NotFound
from engine.models.tower import MANIFEST_FILE, TowerManifest

if TYPE_CHECKING:
    from engine.encoder.versions import QueryEncoderStore
    from engine.learning.offline_data import Judgements

TRAINED_QUERIES_FILE = "trained_queries.txt"


def normalise_query(text: str) -> str:
    """The form queries are compared in: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def write_trained_queries(folder: Path, texts: Iterable[str]) -> None:
    """One normalised query per line, sorted, in a version's folder (before it is published)."""
    lines = sorted({normalise_query(t) for t in texts} - {""})
    (folder / TRAINED_QUERIES_FILE).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def lineage_queries(model_dir: Path, versions: Iterable[int]) -> set[str]:
    """Every query `versions` and the versions they were trained from learned from (a version without
    a manifest is the configured model, which learned from none of the shop's queries)."""
    seen: set[int] = set()
    queries: set[str] = set()
    pending = list(versions)
    while pending:
        version = pending.pop()
        if version in seen:
            continue
        seen.add(version)
        folder = model_dir / str(version)
        manifest_path = folder / MANIFEST_FILE
        if not manifest_path.is_file():
            continue
        try:
            manifest = TowerManifest.read(manifest_path)
        except InvalidInput:
            continue
        listed = folder / TRAINED_QUERIES_FILE
        if listed.is_file():
            queries.update(line for line in listed.read_text(encoding="utf-8").splitlines() if line)
        if manifest.parent is not None:
            pending.append(manifest.parent)
    return queries


def serving_trained_queries(store: QueryEncoderStore) -> set[str]:
    """The queries behind what serves now: the serving query tower and the version that embedded the
    live product vectors, with their ancestors; empty where no runtime repository exists yet."""
    try:
        serving = store.serving()
        tower = store.live_text_tower()
    except NotFound:
        return set()
    versions = [v for v in (serving, tower) if v is not None]
    return lineage_queries(store.model_dir, versions)


def without_trained(judgements: Judgements, trained: set[str], whose: str) -> tuple[Judgements, int]:
    """(`judgements` less the queries whose normalised text is in `trained`, how many were left out);
    `InvalidInput` naming `--include-encoder-queries` when no judged query is left (`whose`: what
    trained on them, for the message)."""
    kept = judgements.without(lambda text: normalise_query(text) in trained)
    if not kept.judged_queries():
        raise InvalidInput(
            f"every judged query trained {whose}: judge other queries, or pass --include-encoder-queries"
        )
    return kept, len(judgements.judged_queries()) - len(kept.judged_queries())
