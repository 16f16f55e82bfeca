"""Generate the sample catalog shipped in engine/sample/ (catalog.jsonl + images/).

The output is committed; rerun only when the catalog should change. The same seed gives byte-identical
files, so a diff shows exactly what changed.

    python scripts/make_sample_catalog.py                  # rewrite engine/sample/
    python scripts/make_sample_catalog.py --out /tmp/s     # write elsewhere
    python scripts/make_sample_catalog.py --seed 7         # another (equally valid) catalog
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_drawing import draw_product  # beside this script
from sample_spec import COLORS, LEAVES, SCENT_COLORS

from engine.product_schema import KNOWN_FIELDS

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "engine" / "sample"
LINES = [
    "Classic",
    "Pro",
    "Everyday",
    "Signature",
    "Essential",
    "Trail",
    "Studio",
    "Urban",
    "Premium",
    "Lite",
]
ADJECTIVES = [
    "durable",
    "lightweight",
    "thoughtfully designed",
    "well-made",
    "versatile",
    "compact",
    "comfortable",
    "handsome",
    "reliable",
    "sturdy",
]
OPENERS = [
    "A {adj} {noun} with {feature}.",
    "This {adj} {noun} from {brand} has {feature}.",
    "{brand} pairs {feature} with {feature2} in this {adj} {noun}.",
    "Meet the {line} {noun}: {feature} and {feature2}.",
]
CLOSERS = [
    "Ideal for {use}.",
    "Made for {use}, in {detail}.",
    "A favourite for {use}.",
    "Great for {use}; {detail} finishes the look.",
]


def _title(rng: random.Random, brand: str, line: str, noun: str, attrs: dict) -> str:
    detail = attrs.get("color") or attrs.get("scent") or ""
    material = attrs.get("material")
    options = [f"{brand} {line} {noun}", f"{brand} {noun}" + (f" - {detail.title()}" if detail else "")]
    if material:
        options.append(f"{brand} {line} {noun}, {material.title()}")
    if "size" in attrs and not isinstance(attrs["size"], (int, float)):
        options.append(f"{brand} {noun} ({attrs['size']})")
    return rng.choice(options)


def _description(rng: random.Random, leaf: dict, brand: str, line: str, noun: str, attrs: dict) -> str:
    feature, feature2 = rng.sample(leaf["features"], 2)
    detail_value = attrs.get("color") or attrs.get("scent") or "a clean design"
    detail = f"{detail_value} {attrs['material']}" if "material" in attrs else str(detail_value)
    opener = rng.choice(OPENERS).format(
        adj=rng.choice(ADJECTIVES),
        noun=noun.lower(),
        feature=feature,
        feature2=feature2,
        brand=brand,
        line=line,
    )
    closer = rng.choice(CLOSERS).format(use=rng.choice(leaf["uses"]), detail=detail)
    return f"{opener[0].upper()}{opener[1:]} {closer}"


def _price(rng: random.Random, low: float, high: float) -> float:
    value = math.exp(rng.uniform(math.log(low), math.log(high)))  # cheap items are more common
    return round(max(low, math.floor(value) + rng.choice([0.99, 0.95, 0.5, 0.0])), 2)


def _availability(rng: random.Random) -> str:
    roll = rng.random()
    return "in_stock" if roll < 0.86 else "out_of_stock" if roll < 0.95 else "preorder"


def build_records(seed: int) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for leaf in LEAVES:
        for _ in range(leaf["count"]):
            brand, noun, line = rng.choice(leaf["brands"]), rng.choice(leaf["nouns"]), rng.choice(LINES)
            attrs = {name: rng.choice(values) for name, values in leaf["attrs"].items()}
            records.append(
                {
                    "title": _title(rng, brand, line, noun, attrs),
                    "description": _description(rng, leaf, brand, line, noun, attrs),
                    "brand": brand,
                    "category": list(leaf["path"]),
                    "price": _price(rng, *leaf["price"]),
                    "currency": "USD",
                    "availability": _availability(rng),
                    "attributes": attrs,
                    "popularity": float(round(math.exp(rng.gauss(3.5, 1.3)))),
                    "_shape": leaf["shape"],
                }
            )
    rng.shuffle(records)
    for number, record in enumerate(records, start=1):
        record["id"] = f"p{number:04d}"
    return records


def write_catalog(out: Path, seed: int) -> tuple[int, int]:
    """Write catalog.jsonl and images/ under `out`; returns (products, images)."""
    records = build_records(seed)
    images = out / "images"
    shutil.rmtree(images, ignore_errors=True)
    images.mkdir(parents=True)
    rng = random.Random(seed + 1)
    pictured = 0
    lines = []
    for index, record in enumerate(records):
        shape = record.pop("_shape")
        record["image"] = None
        if index % 3 == 0:
            attrs = record["attributes"]
            color_name = attrs.get("color") or SCENT_COLORS[attrs["scent"]]
            path = images / f"{record['id']}.png"
            draw_product(shape, COLORS[color_name], rng).save(path, optimize=True)
            record["image"] = f"images/{path.name}"
            pictured += 1
        ordered = {key: record[key] for key in KNOWN_FIELDS}  # the schema's field order
        lines.append(json.dumps(ordered, ensure_ascii=False, sort_keys=False))
    (out / "catalog.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(records), pictured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=20240611, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    products, pictured = write_catalog(args.out, args.seed)
    print(f"wrote {products} products ({pictured} with images) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
