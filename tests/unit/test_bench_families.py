"""bench.families: the variant catalog it writes, and how it counts a page's repeated families."""

import json
from pathlib import Path

import pytest

from bench.facet_clicks import check, facet_filter
from bench.families import families_of, main, make_variants, repeats
from engine.product_schema import validate_record


def test_each_source_product_becomes_a_family_of_valid_variants(tmp_path: Path) -> None:
    source = tmp_path / "source.jsonl"
    rows = [{"id": f"p{n}", "title": f"Lamp {n}", "price": 10.0 + n} for n in range(50)]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    written = make_variants(source, tmp_path / "variants.jsonl")
    records = [json.loads(line) for line in (tmp_path / "variants.jsonl").read_text().splitlines()]
    assert written == len(records) > len(rows)
    products = [validate_record(r) for r in records]
    assert len({p.id for p in products}) == written
    assert {p.family for p in products} == {r["id"] for r in rows}
    assert all(p.title == f"Lamp {p.family[1:]}" for p in products if p.family)
    family = families_of(tmp_path / "variants.jsonl")
    assert family["p3-v0"] == "p3" and len(family) == written


def test_repeats_count_the_slots_whose_family_showed_above() -> None:
    family = {"a1": "a", "a2": "a", "b1": "b", "c": "c"}
    assert repeats(["a1", "b1", "a2", "c", "a1"], family) == 2
    assert repeats(["a1", "b1", "c"], family) == 0


def test_a_missing_catalog_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        main(["--products", str(missing), "--queries", str(missing)])
    assert exit_info.value.code == 2 and f"no such file: {missing}" in capsys.readouterr().err


def test_facet_clicks_compare_each_count_with_the_total_its_filter_leaves() -> None:
    answers = {
        None: {"facets": {"brand": [{"value": "Acme", "count": 3}, {"value": "Hooli", "count": 2}],
                          "price": [{"value": "*-10", "count": 1}],
                          "availability": [{"value": "out_of_stock", "count": 4}]}},
        "Acme": {"total": 3},
        "Hooli": {"total": 1},  # the count promised 2
        "price": {"total": 1},
    }  # fmt: skip
    asked: list[dict[str, object]] = []

    def search(query: str, distinct: bool, **body: object) -> dict[str, object]:
        asked.append(body)
        filters = body.get("filters")
        if filters is None:
            return answers[None]
        assert isinstance(filters, dict)
        return answers["price"] if "price" in filters else answers[filters["brand"][0]]

    found = check(search, ["lamp"], ["brand", "price", "availability"], distinct=True)
    assert found["clicked"] == 3  # no filter selects out of stock alone
    assert found["wrong"] == [{"query": "lamp", "facet": "brand", "value": "Hooli", "count": 2, "total": 1}]
    assert {"filters": {"price": {"max": 10 - 0.001}}} in asked
    assert facet_filter("attr.size", "M") == {"attributes": {"size": ["M"]}}
    assert facet_filter("price", "25-50") == {"price": {"min": 25.0, "max": 50 - 0.001}}
