"""Searchable attributes' index fields (`engine.lexical.field_names`): names in the Latin script keep
the field they always had; names in other scripts get distinct fields."""

from __future__ import annotations

from engine.lexical.field_names import attribute_slug
from engine.lexical.mapping import attribute_field
from engine.lexical.tantivy_schema import field_name


def test_latin_names_keep_their_fields() -> None:
    assert [attribute_slug(n) for n in ("Model No", "Viskosität", "Größe", "color")] == [
        "model_no",
        "viskosit_t",
        "gr_e",
        "color",
    ]


def test_names_in_other_scripts_get_fields_of_their_own() -> None:
    names = ["Цвет", "Объём", "Цвет 2", "Память 2", "色", "サイズ"]
    fields = {field_name(f"attr.{n}") for n in names}
    assert len(fields) == len(names) and all(f.startswith("s_attr_") for f in fields)
    assert len({attribute_field(f"attr.{n}") for n in names}) == len(names)
    assert attribute_slug("Цвет") == attribute_slug("Цвет")  # the same every time
