"""The Boulder outfitter's catalog and judged queries (`bench.outdoor_shop`).

An outdoor gear shop in Boulder, Colorado sells camping, hiking, climbing and paddling gear and clothing
in US dollars, measured as American shops measure it: a tent for "2 people" with a floor of "29 sq ft",
a sleeping bag rated to "20°F", a pad 3 in thick with an R-value, a pack of 65 L, a bottle of 32 oz, a
fuel canister of 8 oz (230 g), a rope of 9.5 mm by 60 m. Each product has BigCommerce custom fields
(Capacity, Temperature Rating, Volume, Lumens, ...), and many come in sizes, lengths or colors (SKUs
under the product, some at a higher price). Shoppers type a capacity ("2 person tent"), a rating ("20
degree sleeping bag"), a volume ("65l backpack", "32 oz water bottle"), a brand and model ("osprey atmos",
"jetboil flash"), a gender ("womens rain jacket"), a material ("gore tex jacket", "merino base layer"),
a typo ("sleping bag", "hedlamp", "carabeener"), an abbreviation ("pfd", "qt"). Patterns
(`bench.shop_judging`) are matched against a product's title, brand, categories, custom fields and
options, lowercased and without accents (`fold`).
"""

from __future__ import annotations

from bench.shop_judging import Judged, folded

TENTS, BAGS, PADS = "Camping/Tents", "Camping/Sleeping Bags", "Camping/Sleeping Pads"
STOVES, COOK, FURNITURE = "Camping/Stoves & Fuel", "Camping/Cookware", "Camping/Furniture"
COOLERS, LIGHTS = "Camping/Coolers", "Camping/Lighting"
PACKS, POLES, FOOTWEAR = "Hiking/Backpacks", "Hiking/Trekking Poles", "Hiking/Footwear"
WATER, FILTERS = "Hiking/Hydration", "Hiking/Water Treatment"
JACKETS, LAYERS, SOCKS = "Clothing/Jackets", "Clothing/Base Layers", "Clothing/Socks"
ROPES, HARDWARE, HARNESSES = "Climbing/Ropes", "Climbing/Carabiners & Quickdraws", "Climbing/Harnesses"
PADDLES, PFDS, SAFETY = "Paddling/Paddles", "Paddling/Life Jackets", "Safety"

Fields = list[tuple[str, str]]
# A SKU: its options as BigCommerce's Bulk Edit names them ("[RT]Size=Long", "[S]Size=M,[CS]Color=Black")
# and what it adds to the product's price (0: the product's).
Sku = tuple[str, float]
# (name, brand, categories as BigCommerce writes them, custom fields, description, price in USD, MSRP
# (0: none), SKUs)
Product = tuple[str, str, str, Fields, str, float, float, list[Sku]]


def sizes(
    *values: str, kind: str = "S", name: str = "Size", extra: dict[str, float] | None = None
) -> list[Sku]:
    """One SKU per value of one option; `extra` adds to the price of some values."""
    return [(f"[{kind}]{name}={v}", (extra or {}).get(v, 0.0)) for v in values]


def colors_sizes(colors: list[str], size_values: list[str]) -> list[Sku]:
    """One SKU per color and size, as BigCommerce writes a product with two options."""
    return [(f"[RT]Size={s},[CS]Color={c}", 0.0) for c in colors for s in size_values]


APPAREL = ["S", "M", "L", "XL"]
CATALOG: list[Product] = [
    ("MSR Hubba Hubba 2-Person Backpacking Tent", "MSR", TENTS, [("Capacity", "2 person"), ("Seasons",
     "3-season"), ("Minimum Weight", "3 lb 2 oz"), ("Floor Area", "29 sq ft"), ("Peak Height", "39 in")],
     "Freestanding double-wall tent with two doors and two vestibules.", 549.95, 0, []),
    ("MSR Hubba Hubba 1-Person Backpacking Tent", "MSR", TENTS, [("Capacity", "1 person"), ("Seasons",
     "3-season"), ("Minimum Weight", "2 lb 5 oz"), ("Floor Area", "18 sq ft")],
     "Light solo shelter for long trails.", 449.95, 0, []),
    ("MSR Hubba Hubba 2 Footprint", "MSR", TENTS, [("Compatible With", "Hubba Hubba 2")],
     "Protects the floor of the Hubba Hubba 2 from abrasion; pitches with the fly alone.", 59.95, 0, []),
    ("Big Agnes Copper Spur HV UL3 Tent", "Big Agnes", TENTS, [("Capacity", "3 person"), ("Seasons",
     "3-season"), ("Minimum Weight", "3 lb 8 oz"), ("Floor Area", "41 sq ft")],
     "Ultralight three-person tent with high-volume hubs.", 599.95, 649.95, []),
    ("Nemo Dagger OSMO 2P Tent", "Nemo", TENTS, [("Capacity", "2 person"), ("Seasons", "3-season"),
     ("Minimum Weight", "3 lb 3 oz"), ("Floor Area", "31.3 sq ft")], "Roomy two-door tent with OSMO fabric "
     "that does not sag when wet.", 499.95, 0, []),
    ("The North Face Mountain 25 Tent", "The North Face", TENTS, [("Capacity", "2 person"), ("Seasons",
     "4-season"), ("Minimum Weight", "9 lb 14 oz")], "Expedition dome for snow and high winds.", 849.00, 0,
     []),
    ("Big Agnes Big House 6 Car Camping Tent", "Big Agnes", TENTS, [("Capacity", "6 person"), ("Seasons",
     "3-season"), ("Floor Area", "90 sq ft"), ("Peak Height", "80 in")], "Stand-up family tent for "
     "campgrounds.", 399.95, 0, []),
    ("MSR Groundhog Tent Stakes 6 Pack", "MSR", TENTS, [("Material", "Aluminum"), ("Length", "7.5 in")],
     "Y-beam stakes that hold in most soils.", 29.95, 0, []),
    ("Marmot Trestles Elite Eco 20 Sleeping Bag", "Marmot", BAGS, [("Temperature Rating", "20°F"),
     ("Insulation", "Synthetic"), ("Shape", "Mummy")], "Recycled synthetic fill that stays warm when damp.",
     149.00, 0, sizes("Regular", "Long", kind="RT", extra={"Long": 20.0})),
    ("Nemo Disco 15 Down Sleeping Bag", "Nemo", BAGS, [("Temperature Rating", "15°F"), ("Insulation",
     "650-fill down"), ("Shape", "Spoon")], "Spoon shape for side sleepers.", 319.95, 0,
     sizes("Regular", "Long", kind="RT", extra={"Long": 20.0})),
    ("Western Mountaineering UltraLite 20 Sleeping Bag", "Western Mountaineering", BAGS,
     [("Temperature Rating", "20°F"), ("Insulation", "850-fill down"), ("Shape", "Mummy")],
     "Ultralight down bag built in San Jose.", 650.00, 0,
     sizes("5 ft 6 in", "6 ft", "6 ft 6 in", kind="RT", name="Length", extra={"6 ft 6 in": 25.0})),
    ("The North Face Inferno 0 Sleeping Bag", "The North Face", BAGS, [("Temperature Rating", "0°F"),
     ("Insulation", "800-fill down"), ("Shape", "Mummy")], "Winter bag for cold nights.", 549.00, 0,
     sizes("Regular", "Long", kind="RT")),
    ("Kelty Cosmic 40 Sleeping Bag", "Kelty", BAGS, [("Temperature Rating", "40°F"), ("Insulation",
     "550-fill down"), ("Shape", "Mummy")], "Summer bag for warm nights.", 119.95, 139.95, []),
    ("Kelty Kids Woobie 30 Sleeping Bag", "Kelty", BAGS, [("Temperature Rating", "30°F"), ("Insulation",
     "Synthetic"), ("Fits Up To", "5 ft")], "Sleeping bag for kids up to five feet tall.", 59.95, 0, []),
    ("Therm-a-Rest NeoAir XLite NXT Sleeping Pad", "Therm-a-Rest", PADS, [("R-Value", "4.5"),
     ("Thickness", "3 in"), ("Type", "Inflatable")], "The lightest warm air pad.", 209.95, 0,
     sizes("Regular", "Regular Wide", "Large", kind="RT", extra={"Regular Wide": 20.0, "Large": 30.0})),
    ("Therm-a-Rest Z Lite Sol Sleeping Pad", "Therm-a-Rest", PADS, [("R-Value", "2"), ("Thickness",
     "0.75 in"), ("Type", "Closed-cell foam")], "Folding foam pad that cannot puncture.", 54.95, 0, []),
    ("Nemo Tensor All-Season Sleeping Pad", "Nemo", PADS, [("R-Value", "5.4"), ("Thickness", "3.5 in"),
     ("Type", "Inflatable")], "Quiet insulated pad for four seasons.", 219.95, 0, []),
    ("Sea to Summit Aeros Premium Pillow", "Sea to Summit", PADS, [("Type", "Inflatable")],
     "Inflatable camp pillow with a brushed face.", 49.95, 0, []),
    ("Osprey Atmos AG 65 Backpack", "Osprey", PACKS, [("Volume", "65 L"), ("Gender", "Men's"),
     ("Frame", "Internal")], "Anti-gravity suspension for long trips.", 340.00, 0,
     sizes("S/M", "L/XL", kind="RT")),
    ("Osprey Aura AG 65 Backpack - Women's", "Osprey", PACKS, [("Volume", "65 L"), ("Gender", "Women's"),
     ("Frame", "Internal")], "Women's fit of the anti-gravity pack.", 340.00, 0,
     sizes("XS/S", "M/L", kind="RT")),
    ("Gregory Baltoro 75 Backpack", "Gregory", PACKS, [("Volume", "75 L"), ("Gender", "Men's"),
     ("Frame", "Internal")], "Load hauler for a week out.", 349.95, 0, []),
    ("Osprey Talon 22 Daypack", "Osprey", PACKS, [("Volume", "22 L"), ("Gender", "Men's")],
     "Daypack with a hipbelt for fast hikes.", 160.00, 0, []),
    ("Osprey Daylite Plus Daypack", "Osprey", PACKS, [("Volume", "20 L")], "Everyday daypack.", 75.00, 0,
     []),
    ("Jetboil Flash Cooking System", "Jetboil", STOVES, [("Fuel", "Isobutane"), ("Boil Time",
     "100 sec"), ("Volume", "1 L")], "Boils a liter of water in 100 seconds.", 129.95, 0, []),
    ("MSR PocketRocket 2 Stove", "MSR", STOVES, [("Fuel", "Isobutane"), ("Weight", "2.6 oz")],
     "Tiny canister stove.", 54.95, 0, []),
    ("MSR WhisperLite Universal Stove", "MSR", STOVES, [("Fuel", "White gas, Kerosene, Isobutane")],
     "Liquid-fuel stove for expeditions.", 149.95, 0, []),
    ("MSR IsoPro Fuel Canister", "MSR", STOVES, [("Fuel", "Isobutane-propane")], "Isobutane-propane "
     "blend for canister stoves.", 6.95, 0, sizes("4 oz (110 g)", "8 oz (230 g)", "16 oz (450 g)",
     kind="RT", name="Net Weight", extra={"8 oz (230 g)": 2.0, "16 oz (450 g)": 5.0})),
    ("Snow Peak Trek 700 Titanium Pot", "Snow Peak", COOK, [("Material", "Titanium"), ("Capacity",
     "24 fl oz")], "A mug and pot in one.", 44.95, 0, []),
    ("GSI Outdoors Pinnacle Camper Cookset", "GSI Outdoors", COOK, [("Material", "Aluminum"),
     ("Serves", "4")], "Nesting cookset for four.", 149.95, 0, []),
    ("Helinox Chair One Camp Chair", "Helinox", FURNITURE, [("Weight", "2 lb"), ("Capacity", "320 lb")],
     "Packable camp chair.", 109.95, 0, sizes("Black", "Coyote Tan", kind="CS", name="Color")),
    ("ENO DoubleNest Hammock", "ENO", FURNITURE, [("Capacity", "400 lb")], "Two-person camping hammock.",
     74.95, 0, []),
    ("Yeti Tundra 45 Cooler", "Yeti", COOLERS, [("Capacity", "37.6 qt")], "Hard cooler that keeps ice "
     "for days.", 325.00, 0, sizes("White", "Tan", kind="CS", name="Color")),
    ("Coleman 48 Quart Cooler", "Coleman", COOLERS, [("Capacity", "48 qt")], "Classic wheel-less cooler.",
     49.99, 0, []),
    ("Black Diamond Spot 400 Headlamp", "Black Diamond", LIGHTS, [("Lumens", "400"), ("Battery",
     "3 AAA")], "Waterproof headlamp with a red night mode.", 49.95, 0, []),
    ("Petzl Actik Core Headlamp", "Petzl", LIGHTS, [("Lumens", "600"), ("Battery", "Rechargeable")],
     "Rechargeable headlamp for running and hiking.", 74.95, 0, []),
    ("Black Diamond Moji Lantern", "Black Diamond", LIGHTS, [("Lumens", "200")], "Small tent lantern.",
     24.95, 0, []),
    ("Leki Makalu Lite Trekking Poles", "Leki", POLES, [("Material", "Aluminum"), ("Locking",
     "SpeedLock")], "Adjustable aluminum trekking poles, pair.", 129.95, 0, []),
    ("Black Diamond Distance Carbon Z Trekking Poles", "Black Diamond", POLES, [("Material", "Carbon"),
     ("Locking", "Folding")], "Folding carbon poles for fast hikes.", 189.95, 0,
     sizes("110 cm", "120 cm", "130 cm", kind="RT", name="Length")),
    ("Salomon X Ultra 4 Mid GTX Hiking Boots - Men's", "Salomon", FOOTWEAR, [("Gender", "Men's"),
     ("Waterproof", "Gore-Tex")], "Waterproof mid hiking boots.", 174.95, 0,
     sizes("8", "9", "10", "11", "12", kind="RT")),
    ("Merrell Moab 3 Waterproof Hiking Boots - Women's", "Merrell", FOOTWEAR, [("Gender", "Women's"),
     ("Waterproof", "M Select Dry")], "Comfortable waterproof hiking boots.", 144.95, 0,
     sizes("6", "7", "8", "9", kind="RT")),
    ("Altra Lone Peak 8 Trail Running Shoes - Men's", "Altra", FOOTWEAR, [("Gender", "Men's")],
     "Zero-drop trail runners.", 149.95, 0, sizes("9", "10", "11", kind="RT")),
    ("Nalgene Wide Mouth Water Bottle 32 oz", "Nalgene", WATER, [("Capacity", "32 oz"), ("Material",
     "Tritan")], "The classic wide-mouth bottle.", 15.99, 0, sizes("Blue", "Green", "Clear", kind="CS",
     name="Color")),
    ("Hydro Flask Wide Mouth 40 oz", "Hydro Flask", WATER, [("Capacity", "40 oz"), ("Material",
     "Stainless steel")], "Vacuum-insulated bottle.", 49.95, 0, []),
    ("CamelBak Crux 3L Reservoir", "CamelBak", WATER, [("Capacity", "3 L")], "Hydration reservoir for "
     "packs.", 39.00, 0, []),
    ("Sawyer Squeeze Water Filter", "Sawyer", FILTERS, [("Type", "Squeeze filter")], "Filters up to "
     "100,000 gallons.", 39.95, 0, []),
    ("Katadyn BeFree 1L Water Filter", "Katadyn", FILTERS, [("Type", "Bottle filter")], "Soft flask "
     "with a fast filter.", 44.95, 0, []),
    ("Patagonia Torrentshell 3L Rain Jacket - Men's", "Patagonia", JACKETS, [("Gender", "Men's"),
     ("Waterproofing", "H2No 3-layer")], "Waterproof, breathable rain shell.", 179.00, 0,
     colors_sizes(["Black", "Blue"], APPAREL)),
    ("Patagonia Torrentshell 3L Rain Jacket - Women's", "Patagonia", JACKETS, [("Gender", "Women's"),
     ("Waterproofing", "H2No 3-layer")], "Waterproof, breathable rain shell.", 179.00, 0,
     colors_sizes(["Black", "Red"], ["XS", "S", "M", "L"])),
    ("Arc'teryx Beta AR Jacket - Men's", "Arc'teryx", JACKETS, [("Gender", "Men's"), ("Waterproofing",
     "Gore-Tex Pro")], "All-round Gore-Tex shell.", 600.00, 0, sizes(*APPAREL, kind="RT")),
    ("Patagonia Nano Puff Jacket - Men's", "Patagonia", JACKETS, [("Gender", "Men's"), ("Insulation",
     "PrimaLoft synthetic")], "Light synthetic insulated jacket.", 239.00, 0, sizes(*APPAREL, kind="RT")),
    ("Patagonia Down Sweater - Women's", "Patagonia", JACKETS, [("Gender", "Women's"), ("Insulation",
     "800-fill down")], "Warm down jacket.", 279.00, 0, sizes("XS", "S", "M", "L", kind="RT")),
    ("Patagonia Better Sweater Fleece Jacket - Men's", "Patagonia", JACKETS, [("Gender", "Men's"),
     ("Material", "Polyester fleece")], "Sweater-knit fleece jacket.", 149.00, 0,
     sizes(*APPAREL, kind="RT")),
    ("Smartwool Classic Thermal Merino Base Layer Crew - Men's", "Smartwool", LAYERS, [("Gender",
     "Men's"), ("Material", "Merino wool")], "Merino wool base layer top.", 110.00, 0,
     sizes(*APPAREL, kind="RT")),
    ("Darn Tough Hiker Micro Crew Cushion Socks", "Darn Tough", SOCKS, [("Material", "Merino wool")],
     "Merino wool hiking socks with a lifetime guarantee.", 27.00, 0, sizes("M", "L", kind="RT")),
    ("Smartwool Hike Light Cushion Crew Socks", "Smartwool", SOCKS, [("Material", "Merino wool")],
     "Light cushion wool socks.", 24.00, 0, sizes("M", "L", kind="RT")),
    ("Mammut Crag Classic 9.5 mm Rope", "Mammut", ROPES, [("Diameter", "9.5 mm"), ("Type", "Dynamic"),
     ("Dry Treatment", "None")], "All-round dynamic single rope.", 189.95, 0,
     sizes("60 m", "70 m", kind="RT", name="Length", extra={"70 m": 30.0})),
    ("Sterling Evolution Velocity 9.8 mm Dry Rope", "Sterling", ROPES, [("Diameter", "9.8 mm"), ("Type",
     "Dynamic"), ("Dry Treatment", "Dry core and sheath")], "Durable dry rope for the crag.", 264.95, 0,
     sizes("60 m", "70 m", kind="RT", name="Length", extra={"70 m": 35.0})),
    ("Black Diamond RockLock Screwgate Carabiner", "Black Diamond", HARDWARE, [("Gate", "Screwgate"),
     ("Shape", "Pear")], "Locking carabiner for belaying.", 14.95, 0, []),
    ("Black Diamond HotForge Quickdraw 12 cm", "Black Diamond", HARDWARE, [("Length", "12 cm")],
     "Light quickdraw.", 21.95, 0, []),
    ("Petzl Corax Climbing Harness", "Petzl", HARNESSES, [("Gender", "Unisex")], "Adjustable harness.",
     74.95, 0, sizes("1", "2", kind="RT")),
    ("Werner Camano Kayak Paddle", "Werner", PADDLES, [("Material", "Fiberglass")], "Touring kayak "
     "paddle.", 249.95, 0, sizes("220 cm", "230 cm", kind="RT", name="Length")),
    ("Astral V-Eight Life Jacket", "Astral", PFDS, [("Type", "Type III PFD")], "Low-profile personal "
     "flotation device for kayakers.", 109.95, 0, sizes("XS/S", "M/L", "XL/XXL", kind="RT")),
    ("Counter Assault Bear Deterrent Spray 10.2 oz", "Counter Assault", SAFETY, [("Net Weight",
     "10.2 oz"), ("Range", "40 ft")], "EPA-registered bear spray.", 51.95, 0, []),
    ("BearVault BV500 Bear Canister", "BearVault", SAFETY, [("Volume", "11.5 L")], "Bear-resistant food "
     "canister.", 94.95, 0, []),
]  # fmt: skip

_WRITTEN = {
    "2 person tent": (r"tents.*capacity=2 person", r"tents.*capacity="),
    "two person tent": (r"tents.*capacity=2 person", r"tents.*capacity="),
    "backpacking tent": (r"backpacking tent|ul3|osmo 2p", r"tents.*capacity="),
    "4 season tent": (r"seasons=4-season", r"tents.*capacity="),
    "ultralight tent": (r"ul3|1-person", r"tents.*capacity="),
    "family tent": (r"capacity=6 person", r"tents.*capacity="),
    "hubba hubba": (r"^msr hubba hubba \d-person", r"hubba hubba"),
    "hubba hubba footprint": (r"footprint", r"hubba hubba"),
    "tent stakes": (r"tent stakes", None),
    "sleeping bag": (r"sleeping bags", None),
    "sleping bag": (r"sleeping bags", None),
    "20 degree sleeping bag": (r"temperature rating=20", r"sleeping bags"),
    "0 degree sleeping bag": (r"temperature rating=0", r"sleeping bags"),
    "down sleeping bag": (r"sleeping bags.*insulation=\d+-fill down", r"sleeping bags"),
    "long sleeping bag": (r"sleeping bags.*(long|6 ft 6 in)", r"sleeping bags"),
    "kids sleeping bag": (r"kids", r"sleeping bags"),
    "sleeping pad": (r"sleeping pad\b", r"sleeping pads"),
    "inflatable sleeping pad": (r"sleeping pad .*type=inflatable", r"sleeping pads"),
    "foam sleeping pad": (r"foam", r"sleeping pads"),
    "neoair xlite": (r"neoair xlite", r"sleeping pads"),
    "camping pillow": (r"pillow", None),
    "backpack": (r"backpacks", None),
    "65l backpack": (r"volume=65 l", r"backpacks"),
    "65 liter backpack": (r"volume=65 l", r"backpacks"),
    "womens backpack": (r"backpacks.*gender=women", r"backpacks"),
    "daypack": (r"daypack", r"backpacks"),
    "osprey atmos": (r"atmos", r"osprey"),
    "backpacking stove": (r"stoves & fuel.*fuel=isobutane$|pocketrocket|jetboil", r"stove"),
    "jetboil": (r"jetboil", r"stoves"),
    "pocket rocket": (r"pocketrocket", r"stove"),
    "isobutane fuel": (r"fuel canister", None),
    "8 oz fuel canister": (r"fuel canister.*8 oz", r"fuel canister"),
    "fuel 230g": (r"fuel canister.*230 g", r"fuel canister"),
    "titanium pot": (r"titanium pot", r"cookware"),
    "cookset": (r"cookset", r"cookware"),
    "camp chair": (r"camp chair", r"furniture"),
    "hammock": (r"hammock", None),
    "cooler": (r"cooler", None),
    "45 qt cooler": (r"tundra 45|48 quart", r"cooler"),
    "yeti cooler": (r"yeti", r"cooler"),
    "headlamp": (r"headlamp", None),
    "hedlamp": (r"headlamp", None),
    "headlamp 400 lumens": (r"headlamp.*lumens=400", r"headlamp"),
    "rechargeable headlamp": (r"headlamp.*rechargeable", r"headlamp"),
    "lantern": (r"lantern", None),
    "trekking poles": (r"trekking poles", None),
    "carbon trekking poles": (r"trekking poles.*carbon", r"trekking poles"),
    "hiking boots": (r"hiking boots", r"footwear"),
    "womens hiking boots": (r"hiking boots.*gender=women", r"hiking boots"),
    "waterproof hiking boots size 10": (r"hiking boots.*size=10", r"hiking boots"),
    "trail runners": (r"trail running", r"footwear"),
    "water bottle": (r"water bottle|hydro flask", r"hydration"),
    "32 oz water bottle": (r"capacity=32 oz", r"water bottle|hydro flask"),
    "nalgene": (r"nalgene", None),
    "hydration bladder": (r"reservoir", r"hydration"),
    "water filter": (r"water filter", r"water treatment"),
    "sawyer squeeze": (r"sawyer squeeze", r"water filter"),
    "rain jacket": (r"rain jacket", r"jackets.*waterproofing="),
    "mens rain jacket": (r"rain jacket - men", r"jackets.*waterproofing="),
    "womens rain jacket": (r"rain jacket - women", r"jackets.*waterproofing="),
    "rain jacket womens medium": (r"rain jacket - women.*size=m\b", r"rain jacket - women"),
    "gore tex jacket": (r"jackets.*waterproofing=gore-tex", r"jackets.*waterproofing="),
    "down jacket": (r"jackets.*insulation=\d+-fill down", r"jackets.*insulation="),
    "nano puff": (r"nano puff", r"jackets.*insulation="),
    "fleece jacket": (r"fleece", r"jackets"),
    "merino base layer": (r"base layer", None),
    "wool socks": (r"socks", None),
    "darn tough socks": (r"darn tough", r"socks"),
    "climbing rope": (r"ropes", None),
    "70m rope": (r"ropes.*length=70 m", r"ropes"),
    "9.5 mm rope": (r"9.5 mm rope", r"ropes"),
    "dry rope": (r"dry rope", r"ropes"),
    "locking carabiner": (r"screwgate", r"carabiners"),
    "carabeener": (r"carabiner", r"carabiners"),
    "quickdraw": (r"quickdraw", None),
    "climbing harness": (r"harness", None),
    "kayak paddle": (r"kayak paddle", None),
    "pfd": (r"life jacket", None),
    "life jacket": (r"life jacket", None),
    "bear spray": (r"bear deterrent spray", None),
    "bear canister": (r"bear canister", None),
    "black diamond": (r"black diamond", None),
    "patagonia": (r"patagonia", None),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
