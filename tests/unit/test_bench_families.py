"""bench.families: the variant catalog it writes, and how it counts a page's repeated families."""

import json
from pathlib import Path

import pytest

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
