"""A small shop's catalog for match-set tests: books in several languages with ISBNs, e-readers and tools
with model numbers, stationery, a few awkward rows, and a bulk of generated notebooks and pens large
enough (600 products in all) that a depth-200 candidate list could not describe a query's matches.

`NOTEBOOKS` names the generated products whose text holds "notebook", so tests can count facets by brute
force over the true match set.
"""

from __future__ import annotations

from engine.records import Product

BOOKS = [
    Product(
        "bk-austen",
        "Pride and Prejudice",
        "A novel of manners set in rural England.",
        "Penguin Classics",
        ("Books", "Fiction"),
        9.5,
        currency="EUR",
        attributes={"author": "Jane Austen", "isbn": "978-0-14-143951-8", "format": "paperback"},
    ),
    Product(
        "bk-bronte",
        "Jane Eyre",
        "An orphan becomes a governess at Thornfield Hall.",
        "Penguin Classics",
        ("Books", "Fiction"),
        11.0,
        currency="EUR",
        attributes={"author": "Charlotte Brontë", "isbn": "978-0-14-144114-6", "format": "paperback"},
    ),
    Product(
        "bk-kafka",
        "Die Verwandlung",
        "Erzählung von Franz Kafka über Gregor Samsa.",
        "Reclam",
        ("Books", "Fiction"),
        4.0,
        currency="EUR",
        attributes={"author": "Franz Kafka", "isbn": "978-3-15-009900-4", "format": "paperback"},
    ),
    Product(
        "bk-soseki",
        "吾輩は猫である",
        "夏目漱石の小説",
        "Shinchosha",
        ("Books", "Fiction"),
        7.0,
        currency="EUR",
        attributes={"author": "Natsume Soseki", "isbn": "978-4-10-101001-3", "format": "paperback"},
    ),
]

DEVICES = [
    Product(
        "er-kobo",
        "Kobo Clara 2E e-reader",
        "Waterproof e-reader with a 6 inch screen.",
        "Kobo",
        ("Electronics", "E-readers"),
        149.0,
        currency="EUR",
        attributes={"model": "N506-KU-BK"},
    ),
    Product(
        "tl-drill",
        "Cordless drill driver",
        "Compact 18V drill with two batteries.",
        "DeWalt",
        ("Tools", "Drills"),
        129.0,
        currency="EUR",
        attributes={"model": "DCD791D2"},
    ),
    Product("tl-hammer", "Claw hammer", "Steel claw hammer.", "Stanley", ("Tools", "Hand tools"), 19.0),
    Product("tl-hamper", "Laundry hamper", "Woven laundry hamper.", "Home Co", ("Home",), 25.0),
]

AWKWARD = [
    Product("odd-blank", "Gift card", "", "", (), None),  # no brand, category, price or description
    Product(
        "odd-unicode",
        "Crème brûlée torch",
        "Kitchen torch ✨",
        "Chef",
        ("Home", "Kitchen"),
        29.0,
        availability="discontinued",
    ),
    Product(
        "odd-bookmark",
        "Bookmark",
        "Leather bookmark for notebooks and books.",
        "Lamy",
        ("Stationery",),
        3.0,
        availability="out_of_stock",
    ),
]

_BRANDS = ("Leuchtturm", "Moleskine", "Rhodia", "Lamy", "Muji")
_FORMATS = ("A5", "A6", "B5")


def _bulk() -> list[Product]:
    products = []
    for i in range(589):
        brand = _BRANDS[i % len(_BRANDS)]
        price = None if i % 41 == 0 else float(3 + (i * 37) % 290) / 2
        availability = "out_of_stock" if i % 7 == 0 else ("backorder" if i % 11 == 0 else "in_stock")
        if i % 2 == 0:
            title, category = f"Dotted notebook {_FORMATS[i % 3]} no. {i}", ("Stationery", "Notebooks")
        else:
            title, category = f"Fountain pen no. {i}", ("Stationery", "Pens")
        products.append(
            Product(
                f"st-{i:03d}",
                title,
                "Paper goods for writing.",
                brand,
                category,
                price,
                currency="EUR",
                availability=availability,
                attributes={"format": _FORMATS[i % 3]},
            )
        )
    return products


BULK = _bulk()
CATALOG: list[Product] = [*BOOKS, *DEVICES, *AWKWARD, *BULK]
# Products whose searchable text holds "notebook(s)": the bulk notebooks and the bookmark's description.
NOTEBOOKS = {p.id for p in BULK if "notebook" in p.title.lower()} | {"odd-bookmark"}

# Per-language pairs: a catalog title and a query that differs from it by inflection only.
LANGUAGE_CASES = {
    "english": ("Running shoes", "run shoe"),
    "german": ("Holztische für den Garten", "Holztisch"),
    "french": ("Chaussures de randonnée", "chaussure"),
    "spanish": ("Zapatos de cuero", "zapato"),
    "italian": ("Scarpe da corsa", "scarpa"),
    "dutch": ("Boeken voor kinderen", "boek"),
    "swedish": ("Jackor för barn", "jacka"),
    "danish": ("Jakker til børn", "jakke"),
    "norwegian": ("Jakker for barn", "jakke"),
    "portuguese": ("Sapatos de couro", "sapato"),
    "russian": ("Стиральные машины", "машина"),
    "turkish": ("Pamuklu Banyo Havluları", "havlu"),
    "polish": ("Krzesła tapicerowane", "krzesło"),
}
