"""The shipped sample catalog: complete, varied, reproducible, and every picture opens."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from PIL import Image

from engine.records import AVAILABILITY_VALUES
from engine.sample import load_sample_products, sample_catalog_path, sample_images_dir

ROOT = Path(__file__).resolve().parents[2]


def test_products_load_with_unique_well_formed_ids() -> None:
    products = load_sample_products()
    assert 280 <= len(products) <= 320
    ids = [p.id for p in products]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"p\d{4}", i) for i in ids)


def test_catalog_is_varied_like_a_real_shop() -> None:
    products = load_sample_products()
    tops = Counter(p.category[0] for p in products)
    assert set(tops) == {"Home", "Electronics", "Clothing", "Sports", "Beauty", "Toys"}
    assert min(tops.values()) >= 30
    assert {len(p.category) for p in products} == {2, 3}
    assert ("Home", "Kitchen", "Knives") in {p.category for p in products}
    brands_by_top: dict[str, set[str]] = {}
    for p in products:
        brands_by_top.setdefault(p.brand, set()).add(p.category[0])
    assert sum(len(tops_) > 1 for tops_ in brands_by_top.values()) >= 2  # some brands span categories
    assert min(len({p.brand for p in products if p.category[0] == t}) for t in tops) >= 3
    availability = Counter(p.availability for p in products)
    assert set(availability) <= set(AVAILABILITY_VALUES)
    assert availability["in_stock"] > len(products) * 0.7
    assert availability["out_of_stock"] > 0 and availability["preorder"] > 0
    assert all(p.price is not None and 1 < p.price < 1000 and p.currency == "USD" for p in products)
    assert all(p.attributes and p.popularity >= 0 for p in products)
    assert all(len(p.description.split()) >= 10 and p.description.endswith(".") for p in products)
    assert len({p.description for p in products}) == len(products)
    assert len({p.title for p in products}) > 0.9 * len(products)


def test_every_image_exists_and_opens() -> None:
    products = load_sample_products()
    pictured = [p for p in products if p.image]
    assert len(products) / 4 < len(pictured) < len(products) / 2
    for product in pictured:
        path = Path(product.image)
        assert path.is_absolute() and path.parent == sample_images_dir()
        with Image.open(path) as image:
            image.load()
            assert image.size == (96, 96)
    relative = {p.image for p in load_sample_products(resolve_images=False) if p.image}
    assert all(image.startswith("images/") for image in relative)


def test_pictures_carry_the_product_colour() -> None:
    red = [p for p in load_sample_products() if p.image and p.attributes.get("color") == "red"]
    assert red
    for product in red:
        with Image.open(product.image) as image:
            r, g, b = image.convert("RGB").getpixel((48, 60))
            assert r > g + 60 and r > b + 60, product.id


def test_sample_stays_small() -> None:
    files = [sample_catalog_path(), *sample_images_dir().iterdir()]
    assert sum(f.stat().st_size for f in files) < 1_500_000


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample_catalog.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "catalog.jsonl").read_bytes() == sample_catalog_path().read_bytes()
    shipped = sorted(f.name for f in sample_images_dir().iterdir())
    assert sorted(f.name for f in (tmp_path / "images").iterdir()) == shipped
    assert all(
        (tmp_path / "images" / name).read_bytes() == (sample_images_dir() / name).read_bytes()
        for name in shipped
    )
