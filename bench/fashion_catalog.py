"""The clothing shop's catalog and judged queries (`bench.fashion_shop`).

Families are written as a Google Shopping feed groups them: one item per colour and size, sharing the
family's title, `item_group_id`, description and price. Patterns (`bench.shop_judging`) are written
against "title | colour / size" (`Product.variant`), lowercased: grade 3 for the asked product in the
asked colour and size, 2 for its kind in another one, None where no other kind is right. Queries are
typed as shoppers type them: a colour and a size after the garment, "size 10", "tshirt" as one word,
"womens" the catalog does not say, a few typos.
"""

from __future__ import annotations

# (group, title, brand, product_type, price, colours, sizes, description)
Family = tuple[str, str, str, str, float, tuple[str, ...], tuple[str, ...], str]
TOPS, BOTTOMS, SHOES, OUTER = "Apparel > Tops", "Apparel > Bottoms", "Shoes", "Apparel > Outerwear"
LETTERS = ("S", "M", "L", "XL")

FAMILIES: list[Family] = [
    ("TS-ESS", "Essential Cotton Crew T-Shirt", "Northwind", f"{TOPS} > T-Shirts", 19.99,
     ("Black", "White", "Navy"), LETTERS, "Everyday crew neck tee in organic cotton."),
    ("TS-VNK", "V-Neck Linen T-Shirt", "Northwind", f"{TOPS} > T-Shirts", 29.0,
     ("Sand", "Olive"), ("M", "L"), "Breathable linen tee with a v-neck."),
    ("TS-GRF", "Mountain Graphic T-Shirt", "Peakstep", f"{TOPS} > T-Shirts", 24.0,
     ("White", "Grey"), LETTERS, "Cotton tee with a mountain print."),
    ("PL-PIQ", "Pique Polo Shirt", "Bluecoast", f"{TOPS} > Polos", 39.0,
     ("Navy", "White", "Red"), ("M", "L", "XL"), "Classic cotton pique polo."),
    ("SH-OXF", "Oxford Button-Down Shirt", "Bluecoast", f"{TOPS} > Shirts", 49.0,
     ("Blue", "White"), LETTERS, "Button-down oxford cotton shirt."),
    ("HD-ZIP", "Fleece Zip Hoodie", "Northwind", f"{TOPS} > Hoodies", 49.0,
     ("Charcoal", "Burgundy"), ("S", "M", "L"), "Warm fleece hoodie with a full zip."),
    ("SW-CRW", "Merino Crew Sweater", "Highland", f"{TOPS} > Sweaters", 79.0,
     ("Grey", "Navy", "Green"), ("M", "L"), "Fine merino wool sweater."),
    ("JE-SLIM", "Slim Fit Stretch Jeans", "Bluecoast", f"{BOTTOMS} > Jeans", 59.0,
     ("Indigo", "Black"), ("30", "32", "34", "36"), "Five-pocket slim jeans in stretch denim."),
    ("JE-RLX", "Relaxed Straight Jeans", "Bluecoast", f"{BOTTOMS} > Jeans", 54.0,
     ("Light Blue",), ("32", "34", "36"), "Straight leg jeans with a relaxed fit."),
    ("CH-STR", "Stretch Chino Pants", "Northwind", f"{BOTTOMS} > Pants", 45.0,
     ("Khaki", "Navy"), ("30", "32", "34"), "Flat front chinos with some stretch."),
    ("SO-CRG", "Cargo Shorts", "Peakstep", f"{BOTTOMS} > Shorts", 35.0,
     ("Olive", "Khaki"), ("30", "32", "34"), "Cotton cargo shorts with six pockets."),
    ("DR-WRP", "Jersey Wrap Dress", "Saddle", "Apparel > Dresses", 69.0,
     ("Black", "Red", "Green"), ("XS", "S", "M", "L"), "Knee length wrap dress in soft jersey."),
    ("SN-TRL", "Trail Runner Sneakers", "Peakstep", f"{SHOES} > Sneakers", 89.95,
     ("Grey", "Red"), ("8", "9", "10", "11"), "Grippy trail running shoes, waterproof upper."),
    ("SN-CNV", "Canvas Low Top Sneakers", "Bluecoast", f"{SHOES} > Sneakers", 49.0,
     ("White", "Black"), ("7", "8", "9", "10"), "Vulcanised canvas sneakers."),
    ("BT-CHL", "Leather Chelsea Boots", "Saddle", f"{SHOES} > Boots", 149.0,
     ("Brown", "Black"), ("9", "10", "11"), "Pull-on leather boots with elastic sides."),
    ("JK-RAIN", "Packable Rain Jacket", "Peakstep", f"{OUTER} > Jackets", 79.0,
     ("Yellow", "Olive"), ("M", "L"), "Lightweight waterproof jacket with a hood."),
    ("JK-DWN", "Down Puffer Jacket", "Highland", f"{OUTER} > Jackets", 189.0,
     ("Black", "Navy"), ("S", "M", "L", "XL"), "Warm down jacket for winter."),
]  # fmt: skip

# (id, title, brand, product_type, price, attributes)
SINGLES: list[tuple[str, str, str, str, float, dict[str, str]]] = [
    ("BN-MER", "Merino Wool Beanie", "Highland", "Accessories > Hats", 24.0, {"color": "Grey"}),
    ("CP-BSB", "Baseball Cap", "Bluecoast", "Accessories > Hats", 18.0, {"color": "Navy"}),
    ("BL-LTH", "Leather Belt with Brass Buckle", "Saddle", "Accessories > Belts", 35.0, {"color": "Brown"}),
    ("SK-3PK", "Cotton Ankle Socks 3-Pack", "Northwind", "Accessories > Socks", 12.0, {"size": "One size"}),
    ("SC-PLD", "Plaid Wool Scarf", "Highland", "Accessories > Scarves", 42.0, {"pattern": "Plaid"}),
    ("WT-FLD", "Field Watch 38 mm", "Timekeep", "Accessories > Watches", 149.0, {"mpn": "FW-38-STL"}),
    ("BG-TOT", "Canvas Tote Bag", "Saddle", "Accessories > Bags", 29.0, {"color": "Natural"}),
]

_TEE = r"t-shirt"
JUDGED: dict[str, tuple[str, str | None]] = {
    "t-shirt": (_TEE, r"polo|shirt"),
    "tshirt": (_TEE, r"polo|shirt"),
    "black t-shirt": (_TEE + r".*\| black", _TEE),
    "black t-shirt m": (_TEE + r".*\| black / m$", _TEE),
    "white tshirt l": (_TEE + r".*\| white / l$", _TEE),
    "navy tee xl": (_TEE + r".*\| navy / xl$", _TEE),
    "graphic tee": (r"graphic t-shirt", _TEE),
    "linen shirt": (r"linen", r"shirt"),
    "polo shirt red": (r"polo .*\| red", r"polo"),
    "polo navy l": (r"polo .*\| navy / l$", r"polo"),
    "oxford shirt blue m": (r"oxford .*\| blue / m$", r"oxford"),
    "button down shirt": (r"button-down", r"shirt"),
    "hoodie": (r"hoodie", r"sweater"),
    "hoodie burgundy m": (r"hoodie .*\| burgundy / m$", r"hoodie"),
    "grey sweater": (r"sweater .*\| grey", r"sweater|hoodie"),
    "merino sweater green l": (r"merino crew sweater .*\| green / l$", r"sweater"),
    "jeans": (r"jeans", r"chino"),
    "jeans 32": (r"jeans .*/ 32$", r"jeans"),
    "black jeans 34": (r"jeans .*\| black / 34$", r"jeans"),
    "slim jeans 30": (r"slim fit .*jeans .*/ 30$", r"jeans"),
    "relaxed jeans 36": (r"relaxed .*jeans .*/ 36$", r"jeans"),
    "chinos khaki 32": (r"chino .*\| khaki / 32$", r"chino"),
    "cargo shorts": (r"cargo shorts", r"shorts|chino"),
    "wrap dress": (r"wrap dress", r"dress"),
    "red dress s": (r"dress .*\| red / s$", r"dress"),
    "womens dress": (r"dress", None),
    "sneakers": (r"sneakers", r"boots"),
    "red sneakers size 10": (r"sneakers .*\| red / 10$", r"sneakers"),
    "white sneakers 8": (r"sneakers .*\| white / 8$", r"sneakers"),
    "trail running shoes 9": (r"trail runner .*/ 9$", r"sneakers"),
    "chelsea boots brown": (r"chelsea .*\| brown", r"boots"),
    "boots 11": (r"boots .*/ 11$", r"boots"),
    "rain jacket yellow": (r"rain jacket .*\| yellow", r"jacket"),
    "puffer jacket black m": (r"puffer .*\| black / m$", r"jacket"),
    "winter jacket": (r"down puffer", r"jacket"),
    "beanie": (r"beanie", r"cap"),
    "navy cap": (r"baseball cap", r"beanie"),
    "belt": (r"belt", None),
    "socks": (r"socks", None),
    "tote bag": (r"tote", None),
    "FW-38-STL": (r"field watch", None),
    "sneekers": (r"sneakers", r"boots"),
    "jaket": (r"jacket", None),
    "hodie": (r"hoodie", r"sweater"),
}
