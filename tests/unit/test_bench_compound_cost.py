"""`bench.compound_cost` on a small embedded index: the lookups are timed and find the compounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import compound_cost
from engine.lexical.embedded import EmbeddedLexical
from engine.records import Product


def test_times_the_lookups_and_counts_the_compounds_they_find(tmp_path: Path) -> None:
    titles = ["Keukenweegschaal", "Weegschaal", "Eikenhout", "Hout", "Koekenpan", "Pan"]
    EmbeddedLexical(tmp_path / "lexical").rebuild([Product(f"p{i}", t) for i, t in enumerate(titles)])
    out = tmp_path / "cost.json"
    assert compound_cost.main([str(tmp_path / "lexical"), "--sample", "100", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["spell_terms"] == 6 and report["lookups"] == 6  # the sample stops at the vocabulary
    assert report["compounds_per_lookup"] == pytest.approx(3 / 6)  # weegschaal, hout and pan end one each
    assert report["us_per_lookup"] > 0 and report["backwards_list_ms"] >= 0


def test_refuses_what_is_not_an_index(tmp_path: Path) -> None:
    assert compound_cost.main([str(tmp_path)]) == 1
    with pytest.raises(SystemExit) as exit_info:
        compound_cost.main([str(tmp_path), "--sample", "0"])
    assert exit_info.value.code == 2
