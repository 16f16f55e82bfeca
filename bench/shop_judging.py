"""Judging a made-up shop's queries by what each asks for, shared by the shops `bench/` writes.

Each query maps to two patterns over a product's text (lowercased, without accents): the first finds
the asked product (grade 3: the size, the model, the colour asked), the second the right kind of product
in another size or variant (grade 2), None where there is no such kind. The other products of an asked
product's department get grade 1 (judged, not wanted: the grade the metrics and the simulated shoppers
count as no gain); every other product is unjudged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

Record = dict[str, Any]
Judged = Mapping[str, tuple[str, str | None]]  # query -> (asked pattern, kind pattern)


def fold(text: str) -> str:
    """Lowercased, accents removed: what the patterns are written against."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def department(product: Record) -> str:
    """The top level of the product's category ("Perros > Juguetes" -> "Perros")."""
    category = product.get("category", "")
    if isinstance(category, list):
        return str(category[0]) if category else ""
    return str(category).split(" > ")[0]


def judge(
    products: list[Record], queries: Judged, prefix: str, text: Callable[[Record], str]
) -> list[tuple[str, str, int]]:
    """(query id, product id, grade) for every judged pair; query ids are `prefix` and the query's
    number in `queries` from 1, as the shop's queries.tsv writes them."""
    judged = []
    for number, (asked, kind) in enumerate(queries.values(), 1):
        grades = {}
        for product in products:
            written = fold(text(product))
            if re.search(asked, written):
                grades[product["id"]] = 3
            elif kind and re.search(kind, written):
                grades[product["id"]] = 2
        departments = {department(p) for p in products if grades.get(p["id"]) == 3}
        for product in products:
            grade = grades.get(product["id"]) or (1 if department(product) in departments else 0)
            if grade:
                judged.append((f"{prefix}{number}", product["id"], grade))
    return judged
