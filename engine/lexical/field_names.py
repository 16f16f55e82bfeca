"""The index field a searchable attribute is written to, the same on both backends.

A field's name is the attribute's name lower-cased with every run of other characters than ASCII
letters and digits one "_" ("Model No" -> "model_no", "Viskosität" -> "viskosit_t"). A name in another
script lost every letter so ("Цвет" and "Объём" were both "", and the embedded index refused to open
a schema naming one field twice), so a name with letters outside the Latin script keeps what is left
and a short hash of the whole name ("цвет" -> "_3f9a0c12"): distinct names, distinct fields. Names
in the Latin script keep the field they always had, so no index needs writing anew.
"""

from __future__ import annotations

import hashlib
import re

from engine.lexical.analysis import ascii_fold

_OTHER = re.compile(r"[^a-z0-9]+")


def attribute_slug(name: str) -> str:
    """The field-name form of an attribute's name (see the module docstring)."""
    lowered = name.lower()
    slug = _OTHER.sub("_", lowered).strip("_")
    if any(c.isalpha() and not ascii_fold(c).isascii() for c in lowered):
        slug += "_" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
    return slug
