"""The hardware shop's products beyond screws and drill bits (`bench.hardware_shop`), and its bad rows.

Rows are (title, category, brand, price, reference, description[, attributes]) as the shop writes
them: model numbers in titles ("DHP482Z"), sizes in several forms ("18 V", "2,5 mm²", "15x21 (1/2")"),
colours and finishes as attributes.

Over 300 lines because it is the catalog itself, a product or a family of sizes per entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.hardware_shop import Shop

_DRILLS = "Outillage > Outillage électroportatif > Perceuses"
_POWER = "Outillage > Outillage électroportatif"
_HAND = "Outillage > Outillage à main"


def _tool(title: str, category: str, brand: str, price: float, ref: str) -> tuple[Any, ...]:
    volts = {"Tension": "18 V"} if "18 V" in title or "18V" in title else {}
    power = {"Alimentation": "sans fil" if "sans fil" in title else "secteur"}
    text = f"<p><strong>{title}</strong></p><p>Outil robuste pour bricoleurs exigeants et professionnels.</p>"
    return (title, category, brand, price, ref, text, volts | power)


POWER_TOOLS = [
    _tool(
        "Perceuse-visseuse sans fil GSR 18V-55 (2 batteries 2,0 Ah)",
        _DRILLS,
        "Bosch Professional",
        219.0,
        "06019H5200",
    ),
    _tool(
        "Perceuse-visseuse à percussion sans fil DHP482Z 18 V LXT (machine seule)",
        _DRILLS,
        "Makita",
        119.0,
        "DHP482Z",
    ),
    _tool("Perceuse à percussion filaire 750 W PSB 750 RCE", _DRILLS, "Bosch", 89.9, "0603128500"),
    _tool(
        "Perforateur SDS-plus GBH 2-26 F 830 W",
        f"{_POWER} > Perforateurs",
        "Bosch Professional",
        259.0,
        "06112A4000",
    ),
    _tool(
        "Perforateur burineur sans fil DHR242Z 18 V", f"{_POWER} > Perforateurs", "Makita", 189.0, "DHR242Z"
    ),
    _tool(
        "Visseuse à chocs sans fil DCF887N 18 V XR Brushless",
        f"{_POWER} > Visseuses",
        "DeWalt",
        169.0,
        "DCF887N-XJ",
    ),
    _tool("Scie sauteuse pendulaire 650 W PST 650", f"{_POWER} > Scies", "Bosch", 69.9, "06033A0700"),
    _tool("Scie circulaire 1400 W Ø 190 mm HS7601J", f"{_POWER} > Scies", "Makita", 149.0, "HS7601J"),
    _tool("Scie sabre sans fil DJR186Z 18 V", f"{_POWER} > Scies", "Makita", 129.0, "DJR186Z"),
    _tool(
        "Meuleuse d'angle 125 mm 900 W GWS 9-125",
        f"{_POWER} > Meuleuses",
        "Bosch Professional",
        79.9,
        "0601396000",
    ),
    _tool(
        "Meuleuse d'angle sans fil DGA504Z 18 V 125 mm", f"{_POWER} > Meuleuses", "Makita", 159.0, "DGA504Z"
    ),
    _tool(
        "Ponceuse excentrique 125 mm 300 W PEX 300 AE", f"{_POWER} > Ponceuses", "Bosch", 79.0, "06033A3000"
    ),
    _tool("Ponceuse vibrante 1/4 de feuille BO4556", f"{_POWER} > Ponceuses", "Makita", 54.9, "BO4556"),
    _tool(
        "Batterie 18 V 5,0 Ah BL1850B LXT", f"{_POWER} > Batteries et chargeurs", "Makita", 89.0, "BL1850B"
    ),
    _tool("Chargeur rapide DC18RC 14,4-18 V", f"{_POWER} > Batteries et chargeurs", "Makita", 49.0, "DC18RC"),
    _tool(
        "Batterie GBA 18V 4.0Ah Professional",
        f"{_POWER} > Batteries et chargeurs",
        "Bosch Professional",
        79.0,
        "1600Z00038",
    ),
    _tool("Aspirateur eau et poussière 1200 W 20 L", f"{_POWER} > Aspirateurs", "Kärcher", 119.0, "WD3"),
    _tool(
        "Nettoyeur haute pression K4 Power Control",
        "Jardin > Nettoyeurs haute pression",
        "Kärcher",
        229.0,
        "1.324-030.0",
    ),
]

HAND_TOOLS: list[tuple[Any, ...]] = [
    *[
        (
            f"Clé mixte {s} mm chrome vanadium",
            f"{_HAND} > Clés",
            "Facom",
            6.5 + s * 0.4,
            f"440.{s}",
            f"Clé mixte {s} mm.",
        )
        for s in (8, 10, 13, 17, 19)
    ],
    *[
        (
            f"Clé à molette {n} mm ouverture {n // 8} mm",
            f"{_HAND} > Clés",
            "Stanley",
            9.9 + n / 30,
            f"0-87-{n}",
            "Clé à molette à mâchoires réglables.",
        )
        for n in (150, 200, 250, 300)
    ],
    *[
        (
            f"Tournevis {'cruciforme ' if t[:2] in ('PH', 'PZ') else ''}{t} manche bi-matière",
            f"{_HAND} > Tournevis",
            "Facom",
            5.9,
            f"AN{t.replace(' ', '').replace(',', '')}",
            f"Tournevis {t}.",
        )
        for t in ("PH1", "PH2", "PZ2", "plat 5,5 mm", "Torx T25")
    ],
    (
        "Coffret de tournevis de précision 25 pièces",
        f"{_HAND} > Tournevis",
        "Wera",
        29.9,
        "05073675001",
        "Embouts.",
    ),
    *[
        (
            f"Mètre ruban {n} m x 25 mm Tylon",
            "Outillage > Mesure et traçage",
            "Stanley",
            6.9 + n,
            f"STHT{36190 + n}",
            f"Mètre ruban {n} mètres.",
        )
        for n in (3, 5, 8, 10)
    ],
    (
        "Niveau à bulle 60 cm aluminium",
        "Outillage > Mesure et traçage",
        "Stanley",
        18.9,
        "1-42-920",
        "3 fioles.",
    ),
    (
        "Télémètre laser GLM 50-27 C 50 m",
        "Outillage > Mesure et traçage",
        "Bosch Professional",
        129.0,
        "0601072T00",
        "Mesure de distance laser Bluetooth.",
    ),
    (
        "Marteau de charpentier 600 g manche fibre",
        f"{_HAND} > Marteaux",
        "Stanley",
        24.5,
        "1-51-489",
        "Arrache-clou.",
    ),
    ("Massette 1,25 kg manche bois", f"{_HAND} > Marteaux", "Leborgne", 16.9, "LB1250", "Massette de maçon."),
    (
        "Scie égoïne 550 mm coupe fine",
        f"{_HAND} > Scies",
        "Bahco",
        21.9,
        "2600-22-XT11-HP",
        "Scie à main pour bois.",
    ),
    ("Cutter à lame sécable 18 mm", f"{_HAND} > Cutters", "Stanley", 7.5, "0-10-018", "Cutter, bloqueur."),
    ("Pince multiprise 250 mm", f"{_HAND} > Pinces", "Knipex", 27.9, "87 01 250", "Pince Cobra."),
    (
        "Pince coupante diagonale 160 mm",
        f"{_HAND} > Pinces",
        "Knipex",
        22.5,
        "70 02 160",
        "Pince coupante de côté.",
    ),
]

PLUMBING: list[tuple[Any, ...]] = [
    *[
        row
        for size, inch in (("12x17", '3/8"'), ("15x21", '1/2"'), ("20x27", '3/4"'), ("26x34", '1"'))
        for row in (
            (
                f"Raccord laiton mâle/femelle {size} ({inch})",
                "Plomberie > Raccords",
                "Boutté",
                3.9,
                f"RL{size.replace('x', '')}",
                f"Raccord en laiton {size}, filetage {inch} gaz.",
            ),
            (
                f"Vanne d'arrêt quart de tour {size} femelle/femelle",
                "Plomberie > Vannes",
                "Boutté",
                11.9,
                f"VQ{size.replace('x', '')}",
                f"Vanne à sphère {inch}.",
            ),
        )
    ],
    *[
        (
            f"Tube PER nu Ø {d} mm couronne de 25 m",
            "Plomberie > Tubes",
            "Somatherm",
            19.9 + d,
            f"PER{d}25",
            f"Tube polyéthylène réticulé {d} mm.",
        )
        for d in (12, 16, 20)
    ],
    (
        "Mitigeur lavabo chromé Eurosmart",
        "Plomberie > Robinetterie",
        "Grohe",
        79.0,
        "23324001",
        "Avec vidage.",
    ),
    (
        "Mitigeur évier bec haut Minta",
        "Plomberie > Robinetterie",
        "Grohe",
        189.0,
        "32168000",
        "Bec orientable.",
    ),
    ("Ruban téflon PTFE 12 mm x 12 m", "Plomberie > Étanchéité", "Geb", 1.9, "815001", "Pour filetages."),
    (
        "Pâte à joint Gebetanche 200 g",
        "Plomberie > Étanchéité",
        "Geb",
        6.9,
        "103052",
        "Pour raccords filetés.",
    ),
]

PAINT: list[tuple[Any, ...]] = [
    *[
        (
            f"Peinture murs et plafonds {colour} {finish} {volume}",
            "Peinture > Peinture intérieure",
            brand,
            19.9 if volume == "2,5 L" else 59.9,
            f"PM{colour[:3].upper()}{finish[0].upper()}{volume[:2].strip(',')}",
            f"Peinture acrylique {finish}, 10 m²/L. Couleur {colour}.",
            {"Couleur": colour, "Finition": finish, "Contenance": volume},
        )
        for colour, brand in (
            ("blanc", "Tollens"),
            ("gris anthracite", "Ripolin"),
            ("beige", "Dulux Valentine"),
            ("noir", "Tollens"),
        )
        for finish, volume in (("mat", "2,5 L"), ("satin", "2,5 L"), ("mat", "10 L"))
    ],
    *[
        (
            f"Mastic silicone sanitaire {colour} 280 ml",
            "Peinture > Mastics et colles",
            "Rubson",
            8.9,
            f"SIL{colour[:3].upper()}",
            "Silicone anti-moisissures pour salle de bain et cuisine.",
            {"Couleur": colour},
        )
        for colour in ("blanc", "transparent", "gris")
    ],
    (
        "Colle de fixation Ni clou ni vis 310 ml",
        "Peinture > Mastics et colles",
        "Pattex",
        9.5,
        "1503170",
        "Extra-forte.",
    ),
    (
        "Pistolet à mastic renforcé",
        "Peinture > Mastics et colles",
        "Stanley",
        8.9,
        "0-28-040",
        "Cartouches 310 ml.",
    ),
    (
        "Rouleau anti-goutte 180 mm poils 12 mm",
        "Peinture > Outils du peintre",
        "L'Outil Parfait",
        9.9,
        "OP180",
        "Murs.",
    ),
    ("Bâche de protection 4 x 5 m", "Peinture > Outils du peintre", "Nespoli", 4.5, "BP45", "Bâche polyane."),
]

ELECTRICS_AND_GARDEN: list[tuple[Any, ...]] = [
    *[
        (
            f"Câble électrique H07V-U {s} mm² bleu 100 m",
            "Électricité > Câbles",
            "Nexans",
            price,
            f"H07VU{s[0]}{s[-1]}B",
            f"Fil rigide {s} mm².",
        )
        for s, price in (("1,5", 40.0), ("2,5", 50.0))
    ],
    (
        "Prise de courant 2P+T 16 A blanc Céliane",
        "Électricité > Appareillage",
        "Legrand",
        12.9,
        "067111",
        "Murale.",
    ),
    (
        "Interrupteur va-et-vient Dooxie blanc",
        "Électricité > Appareillage",
        "Legrand",
        6.9,
        "600001",
        "Simple.",
    ),
    (
        "Ampoule LED E27 806 lm 8,5 W blanc chaud",
        "Électricité > Éclairage",
        "Philips",
        4.9,
        "929001234567",
        "60 W.",
    ),
    ("Ampoule LED GU10 345 lm 4,7 W", "Électricité > Éclairage", "Philips", 3.9, "929001215201", "Spot LED."),
    (
        "Détecteur de fumée autonome 10 ans",
        "Électricité > Sécurité",
        "Kidde",
        19.9,
        "29HD-FR",
        "NF EN 14604.",
    ),
    ("Tondeuse à gazon thermique 46 cm", "Jardin > Tondeuses", "Husqvarna", 349.0, "LC 247", "Bac 60 L."),
    (
        "Taille-haie sans fil DUH523Z 18 V 52 cm",
        "Jardin > Taille-haies",
        "Makita",
        139.0,
        "DUH523Z",
        "Lame 52 cm.",
    ),
    ("Tuyau d'arrosage 25 m Ø 15 mm", "Jardin > Arrosage", "Gardena", 39.9, "18025-20", "Anti-torsion."),
    ("Sécateur à lame franche", "Jardin > Outils de jardin", "Fiskars", 19.9, "1057162", "Coupe nette."),
]

TABLES = [POWER_TOOLS, HAND_TOOLS, PLUMBING, PAINT, ELECTRICS_AND_GARDEN]


def bad_rows(shop: Shop) -> None:
    """What a real export holds besides products: a row without a title, a price on request, a negative
    price, and a row exported twice (an `indexer build` reports each by line and writes the rest)."""
    shop.add("", "Outillage", "Bosch", 12.0, "BAD1", "Sans titre")
    shop.add(
        "Niveau laser lignes croisées",
        "Outillage > Mesure et traçage",
        "Bosch",
        "sur devis",
        "BAD2",
        "Sur devis",
    )
    shop.add("Scie cloche bi-métal 68 mm", "Outillage > Accessoires", "Bosch", -5.0, "BAD3", "Prix négatif")
    shop.rows.append(dict(shop.rows[10]))
