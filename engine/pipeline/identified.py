"""Stage: a product the query names by an exact identifier leads the answer.

A shopper who types a model number, an ISBN or a GTIN ("DCD791D2", "978-0-14-143951-8") means that
product. The match set already holds it (`engine.lexical.matching`: the query, or a run of its parts,
equals one of its identifiers), but nothing put it first: a product matched only by an identifier is
not a lexical candidate (BM25 sees no word of it), so it landed after the ranked head, below the
accessories whose titles mention the model number and the products whose identifiers merely begin with
the query. The lexical backend names these products (`MemberHits.identified`); here they join the
candidates and are set apart from the ranked list, and merchandising answers them first, in the
backend's order (by id), untouched by boosts and buries (an out-of-stock product the shopper named is
still the one asked for); a shop's pins for the query still place their products where they say.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.pipeline.types import RankedHit
from engine.records import ScoredId


def with_identified(candidates: list[ScoredId], identified: Sequence[str]) -> list[ScoredId]:
    """`candidates` (the lexical list, best first) with the identified products it lacks appended at its
    lowest score: they reach fusion and the match set like any candidate, and the scores and ranks of
    the others (the ranker's lexical features) stay as BM25 gave them."""
    if not identified:  # most searches: no set of the candidates' ids to build
        return candidates
    present = {c.product_id for c in candidates}
    missing = [pid for pid in identified if pid not in present]
    if not missing:
        return candidates
    floor = candidates[-1].score if candidates else 0.0
    return [*candidates, *(ScoredId(pid, floor) for pid in missing)]


def identified_first(
    hits: list[RankedHit], identified: Sequence[str]
) -> tuple[list[RankedHit], list[RankedHit]]:
    """(the identified hits, in `identified`'s order and with relevance 1: the query names them; the
    others in their order). Merchandising answers the first part first, untouched by its boosts and
    buries (`Merchandiser.apply`'s `lead`)."""
    if not identified:
        return [], hits
    order = {pid: i for i, pid in enumerate(identified)}
    named = sorted((h for h in hits if h.product_id in order), key=lambda h: order[h.product_id])
    if not named:
        return [], hits
    for hit in named:
        hit.relevance = 1.0
    return named, [h for h in hits if h.product_id not in order]
