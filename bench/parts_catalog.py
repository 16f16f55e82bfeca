"""The Leipzig car-parts shop's catalog and judged queries (`bench.parts_shop`).

A car-parts shop in Leipzig sells brake, filter, ignition, lighting, belt-drive and suspension parts,
oils and fluids, batteries, wipers, tyres and accessories in euros, in German. A part is named by its
maker and the maker's number ("BOSCH 0 986 494 524", MANN-FILTER "W 712/75"), carries the carmaker's
original-equipment number in its text ("OE 1K0 698 451 J") and fits the cars its properties name
(Fahrzeug: "VW Golf VII"); oils by viscosity ("5W-30") and approval ("VW 504 00"), bulbs by base
("H7"), tyres by size ("205/55 R16 91V"). Many come in variants (a wiper's length, an oil's can, a
disc's diameter, a tyre's size), some at prices of their own. Shoppers type a part and a car
("bremsbeläge golf 7"), a maker's number as printed or run together ("w712/75", "0986494524"), an OE
number ("1k0698451j"), a viscosity with or without its hyphen ("5w30"), a tyre size as a tyre's wall
writes it or not ("205/55 r16", "205 55 16"), umlauts as "oe" ("motoroel") or dropped ("zundkerzen"),
"ß" as "ss", and the trade's other names ("pollenfilter" for a cabin filter). Patterns
(`bench.shop_judging`) are matched against what the shop says each product is (`Part.truth`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.shop_judging import Judged, folded

BRAKES, DISCS, FLUID = "Bremsanlage/Bremsbeläge", "Bremsanlage/Bremsscheiben", "Bremsanlage/Bremsflüssigkeit"
OIL_FILTERS, AIR_FILTERS = "Filter/Ölfilter", "Filter/Luftfilter"
CABIN_FILTERS, FUEL_FILTERS = "Filter/Innenraumfilter", "Filter/Kraftstofffilter"
OILS, COOLANT, ADBLUE = (
    "Öle & Flüssigkeiten/Motoröl",
    "Öle & Flüssigkeiten/Kühlerfrostschutz",
    "Öle & Flüssigkeiten/AdBlue",
)
PLUGS, GLOW, BULBS = "Zündung/Zündkerzen", "Zündung/Glühkerzen", "Beleuchtung/Glühlampen"
WIPERS, BATTERIES, CHARGING = "Scheibenwischer", "Elektrik/Batterien", "Elektrik/Laden & Starthilfe"
SHOCKS, MOUNTS = "Fahrwerk/Stoßdämpfer", "Fahrwerk/Domlager"
BELTS, PUMPS = "Riementrieb/Zahnriemensätze", "Riementrieb/Wasserpumpen"
RIBBED = "Riementrieb/Keilrippenriemen"
SUMMER, WINTER = "Reifen/Sommerreifen", "Reifen/Winterreifen"
CHAINS, ROOF, SAFETY = "Zubehör/Schneeketten", "Zubehör/Dachboxen & Träger", "Zubehör/Sicherheit"
SALE = "Angebote"

GOLF, A3, OCTAVIA = "VW Golf VII", "Audi A3 8V", "Skoda Octavia III"
BMW, ASTRA, FOCUS = "BMW 3er F30", "Opel Astra K", "Ford Focus III"
MQB = (GOLF, A3, OCTAVIA)

Props = list[tuple[str, str]]


@dataclass(frozen=True)
class Part:
    """A product as the shop keeps it: its name, maker, categories ("Level/Level"), properties
    (group, value; a group may repeat: the cars it fits), description, gross price, the maker's
    number, and its variants: each its options (group, value) and its own gross price (0: the
    product's, which Shopware's variant row leaves empty to inherit)."""

    name: str
    maker: str
    categories: tuple[str, ...]
    properties: Props
    text: str
    price: float
    number: str = ""
    variants: list[tuple[Props, float]] = field(default_factory=list)

    def truth(self, options: Props | None = None) -> str:
        """What the shop says the product (or its variant with `options`) is, for judging: name,
        maker, categories, properties, options, maker's number and description."""
        props = ", ".join(f"{g}={v}" for g, v in [*self.properties, *(options or [])])
        categories = ", ".join(c.replace("/", " > ") for c in self.categories)
        return " | ".join((self.name, self.maker, categories, props, self.number, self.text))


def fits(*cars: str) -> Props:
    return [("Fahrzeug", car) for car in cars]


def lengths(*mm: int, extra: dict[int, float] | None = None) -> list[tuple[Props, float]]:
    return [([("Länge", f"{m} mm")], (extra or {}).get(m, 0.0)) for m in mm]


CATALOG: list[Part] = [
    Part("Bremsbelagsatz Vorderachse", "BOSCH", (BRAKES,), [("Einbauseite", "Vorderachse"), *fits(*MQB)],
         "<p>Scheibenbremsbeläge mit Verschleißwarnkontakt. OE 5Q0 698 151 B.</p>", 41.90, "0 986 494 524"),
    Part("Bremsbelagsatz Hinterachse", "BOSCH", (BRAKES,), [("Einbauseite", "Hinterachse"), *fits(*MQB)],
         "<p>Für Fahrzeuge mit elektrischer Parkbremse. OE 5Q0 698 451 R.</p>", 34.50, "0 986 494 660"),
    Part("Bremsbelagsatz Vorderachse", "ATE", (BRAKES,), [("Einbauseite", "Vorderachse"), *fits(BMW)],
         "<p>Ceramic-Beläge, wenig Bremsstaub. OE 34 11 6 850 568.</p>", 58.90, "13.0460-7300.2"),
    Part("Bremsbelagsatz Vorderachse", "TRW", (BRAKES,), [("Einbauseite", "Vorderachse"), *fits(ASTRA)],
         "<p>Mit Zubehör. OE 1605 523.</p>", 37.20, "GDB2042"),
    Part("Bremsscheibe belüftet", "BREMBO", (DISCS,), [("Einbauseite", "Vorderachse"), *fits(*MQB)],
         "<p>Paarweise tauschen. OE 5Q0 615 301 F.</p>", 39.90, "09.C546.11",
         [([("Durchmesser", "288 mm")], 0.0), ([("Durchmesser", "312 mm")], 52.90),
          ([("Durchmesser", "340 mm")], 74.90)]),
    Part("Bremsscheibe voll", "ATE", (DISCS,), [("Einbauseite", "Hinterachse"), *fits(*MQB)],
         "<p>Beschichtet gegen Rost. OE 5Q0 615 601 A.</p>", 24.90, "24.0110-0304.1",
         [([("Durchmesser", "272 mm")], 0.0), ([("Durchmesser", "300 mm")], 29.90)]),
    Part("Bremsflüssigkeit DOT 4", "ATE", (FLUID,), [("Norm", "DOT 4"), ("Inhalt", "1 l")],
         "<p>Typ 200, Siedepunkt 280 °C.</p>", 14.90, "03.9901-6202.2"),
    Part("Ölfilter", "MANN-FILTER", (OIL_FILTERS,), [("Bauart", "Anschraubfilter"), *fits(ASTRA, FOCUS)],
         "<p>Wechselfilter. OE 5650 359.</p>", 8.90, "W 712/75"),
    Part("Ölfilter Einsatz", "MANN-FILTER", (OIL_FILTERS,), [("Bauart", "Filtereinsatz"), *fits(*MQB)],
         "<p>Mit Dichtung. OE 03N 115 562.</p>", 9.40, "HU 6004 x"),
    Part("Ölfilter Einsatz", "MAHLE", (OIL_FILTERS,), [("Bauart", "Filtereinsatz"), *fits(BMW)],
         "<p>OE 11 42 8 575 211.</p>", 11.20, "OX 404D"),
    Part("Luftfilter", "MANN-FILTER", (AIR_FILTERS,), [*fits(*MQB)], "<p>OE 5Q0 129 620 B.</p>", 17.90,
         "C 27 009"),
    Part("Luftfilter", "BOSCH", (AIR_FILTERS,), [*fits(BMW)], "<p>OE 13 71 8 577 170.</p>", 21.50,
         "F 026 400 429"),
    Part("Innenraumfilter Aktivkohle", "MANN-FILTER", (CABIN_FILTERS,), [("Ausführung", "Aktivkohle"),
         *fits(*MQB)], "<p>Filtert Pollen, Feinstaub und Gerüche. OE 5Q0 819 653.</p>", 19.90, "CUK 26 009"),
    Part("Innenraumfilter", "BOSCH", (CABIN_FILTERS,), [("Ausführung", "Partikelfilter"), *fits(ASTRA)],
         "<p>Pollenfilter für die Klimaanlage.</p>", 9.90, "1 987 435 078"),
    Part("Kraftstofffilter Diesel", "MANN-FILTER", (FUEL_FILTERS,), [("Kraftstoff", "Diesel"), *fits(*MQB)],
         "<p>OE 5Q0 127 177 C.</p>", 29.90, "WK 8046"),
    Part("Motoröl Edge 5W-30 LL", "Castrol", (OILS,), [("Viskosität", "5W-30"), ("Freigabe", "VW 504 00"),
         ("Freigabe", "VW 507 00")], "<p>Longlife-Öl für Benziner und Diesel mit Partikelfilter.</p>", 14.90,
         "15669E", [([("Inhalt", "1 l")], 0.0), ([("Inhalt", "5 l")], 54.90)]),
    Part("Motoröl Top Tec 4200 5W-30", "LIQUI MOLY", (OILS,), [("Viskosität", "5W-30"), ("Freigabe",
         "VW 504 00")], "<p>Leichtlauf-Motoröl.</p>", 16.90, "3706",
         [([("Inhalt", "1 l")], 0.0), ([("Inhalt", "5 l")], 59.90)]),
    Part("Motoröl Quartz Ineo 0W-20", "TOTAL", (OILS,), [("Viskosität", "0W-20"), ("Freigabe",
         "VW 508 00")], "<p>Für neue Benziner mit Longlife-Intervall.</p>", 15.50, "213833",
         [([("Inhalt", "1 l")], 0.0), ([("Inhalt", "5 l")], 57.50)]),
    Part("Motoröl Special Tec 10W-40", "LIQUI MOLY", (OILS,), [("Viskosität", "10W-40")],
         "<p>Teilsynthetisch, für ältere Fahrzeuge.</p>", 9.90, "1184",
         [([("Inhalt", "1 l")], 0.0), ([("Inhalt", "5 l")], 34.90)]),
    Part("Kühlerfrostschutz G12evo Konzentrat", "LIQUI MOLY", (COOLANT,), [("Spezifikation", "G12evo"),
         ("Inhalt", "1,5 l")], "<p>Frostschutz bis -38 °C im Verhältnis 1:1.</p>", 12.90, "21290"),
    Part("AdBlue mit Ausgießer", "BluePower", (ADBLUE,), [("Inhalt", "10 l"), ("Norm", "ISO 22241")],
         "<p>Harnstofflösung für SCR-Dieselmotoren.</p>", 11.90, "AB10"),
    Part("Zündkerze Double Platinum", "BOSCH", (PLUGS,), [("Elektrode", "Platin"), *fits(*MQB)],
         "<p>Satz à 4 Stück. OE 04E 905 612.</p>", 39.60, "0 242 145 515"),
    Part("Zündkerze Laser Iridium", "NGK", (PLUGS,), [("Elektrode", "Iridium"), *fits(BMW)],
         "<p>OE 12 12 0 037 244.</p>", 15.90, "ILZKR7B-11S"),
    Part("Glühkerze Duraterm", "BOSCH", (GLOW,), [*fits(GOLF, OCTAVIA)], "<p>Für TDI-Motoren.</p>", 12.90,
         "0 250 403 009"),
    Part("Glühlampe Night Breaker Laser", "OSRAM", (BULBS,), [("Sockel", "H7"), ("Leistung", "55 W")],
         "<p>Bis zu 150 % mehr Licht. Doppelpack.</p>", 24.90, "64210NL-HCB"),
    Part("Glühlampe Original Line", "OSRAM", (BULBS,), [("Sockel", "H7"), ("Leistung", "55 W")],
         "<p>Erstausrüsterqualität.</p>", 6.90, "64210"),
    Part("Glühlampe Vision", "PHILIPS", (BULBS,), [("Sockel", "H4"), ("Leistung", "60/55 W")],
         "<p>30 % mehr Licht.</p>", 8.50, "12342PRB1"),
    Part("Glühlampe W5W Standlicht", "PHILIPS", (BULBS,), [("Sockel", "W5W"), ("Leistung", "5 W")],
         "<p>Glassockellampe, 2 Stück.</p>", 3.90, "12961B2"),
    Part("Scheibenwischer Aerotwin", "BOSCH", (WIPERS,), [("Ausführung", "Flachbalkenwischer"),
         ("Einbauseite", "vorne")], "<p>Wischblatt mit Adapter für die meisten Fahrzeuge.</p>", 19.90,
         "3 397 008 538", lengths(530, 600, 650, 700, extra={650: 22.90, 700: 24.90})),
    Part("Heckwischer Rear", "BOSCH", (WIPERS,), [("Einbauseite", "hinten")], "<p>Heckwischblatt.</p>",
         9.90, "3 397 004 560", lengths(280, 330)),
    Part("Autobatterie Blue Dynamic E11", "VARTA", (BATTERIES,), [("Kapazität", "74 Ah"),
         ("Kaltstartstrom", "680 A"), ("Spannung", "12 V")], "<p>Starterbatterie für Mittelklasse.</p>",
         119.00, "574012068"),
    Part("Autobatterie Silver Dynamic AGM", "VARTA", (BATTERIES,), [("Kapazität", "70 Ah"),
         ("Kaltstartstrom", "760 A"), ("Spannung", "12 V"), ("Technologie", "AGM")],
         "<p>Für Fahrzeuge mit Start-Stopp.</p>", 189.00, "570901076"),
    Part("Autobatterie S4", "BOSCH", (BATTERIES,), [("Kapazität", "60 Ah"), ("Kaltstartstrom", "540 A"),
         ("Spannung", "12 V")], "<p>Für Kleinwagen.</p>", 94.90, "0 092 S40 050"),
    Part("Starthilfekabel 25 mm²", "APA", (CHARGING,), [("Länge", "3,5 m"), ("Querschnitt", "25 mm²")],
         "<p>Überbrückungskabel für Benzin bis 3,0 l.</p>", 19.90, "16543"),
    Part("Ladekabel Typ 2", "Juice", (CHARGING,), [("Länge", "7 m"), ("Leistung", "22 kW")],
         "<p>Mode-3-Kabel für Elektroautos, dreiphasig.</p>", 229.00, "JT2-22-7"),
    Part("Batterieladegerät C7", "CTEK", (CHARGING,), [("Spannung", "12 V")],
         "<p>Erhaltungsladegerät für Blei- und AGM-Batterien.</p>", 79.90, "40-186"),
    Part("Stoßdämpfer Gasdruck", "SACHS", (SHOCKS,), [("Einbauseite", "Vorderachse"), *fits(GOLF)],
         "<p>Federbein. OE 5Q0 413 031 FD.</p>", 64.90, "315 507"),
    Part("Stoßdämpfer Excel-G", "KYB", (SHOCKS,), [("Einbauseite", "Hinterachse"), *fits(GOLF, OCTAVIA)],
         "<p>OE 5Q0 513 049 FA.</p>", 44.90, "349040"),
    Part("Domlager mit Kugellager", "MEYLE", (MOUNTS,), [("Einbauseite", "Vorderachse"), *fits(*MQB)],
         "<p>OE 5Q0 412 331 D.</p>", 24.90, "100 412 0047/S"),
    Part("Zahnriemensatz mit Wasserpumpe", "CONTINENTAL CTAM", (BELTS,), [*fits(GOLF, OCTAVIA)],
         "<p>Komplettsatz für 1.6/2.0 TDI. OE 04L 198 119 A.</p>", 189.00, "CT1168WP1"),
    Part("Zahnriemensatz", "INA", (BELTS,), [*fits(FOCUS)], "<p>Für 1.0 EcoBoost.</p>", 129.00,
         "530 0621 10"),
    Part("Wasserpumpe", "SKF", (PUMPS,), [*fits(ASTRA)], "<p>OE 5 334 128.</p>", 49.90, "VKPC 85309"),
    Part("Keilrippenriemen 6PK1050", "GATES", (RIBBED,), [("Rippen", "6"), ("Länge", "1050 mm")],
         "<p>Micro-V. Für Lichtmaschine und Klimakompressor.</p>", 14.90, "6PK1050"),
    Part("Sommerreifen Premium Contact 6", "Continental", (SUMMER,), [("Saison", "Sommer")],
         "<p>Kurze Bremswege auf nasser Fahrbahn.</p>", 96.00, "PC6",
         [([("Reifengröße", "205/55 R16 91V")], 0.0), ([("Reifengröße", "225/45 R17 94Y XL")], 118.00),
          ([("Reifengröße", "195/65 R15 91H")], 79.00)]),
    Part("Sommerreifen Primacy 4+", "Michelin", (SUMMER,), [("Saison", "Sommer")],
         "<p>Langlebig.</p>", 104.00, "PRIM4P",
         [([("Reifengröße", "205/55 R16 91V")], 0.0), ([("Reifengröße", "225/45 R17 94W XL")], 126.00)]),
    Part("Winterreifen UltraGrip Performance 3", "Goodyear", (WINTER,), [("Saison", "Winter"),
         ("Kennzeichnung", "3PMSF")], "<p>Alpine-Symbol.</p>", 99.00, "UGP3",
         [([("Reifengröße", "205/55 R16 91H")], 0.0), ([("Reifengröße", "225/45 R17 94V XL")], 129.00)]),
    Part("Schneeketten Easy-Fit CU-10", "Thule", (CHAINS,), [("Kettenstärke", "10 mm")],
         "<p>Selbstspannend, Montage in Minuten.</p>", 189.00, "CU-10",
         [([("Größe", "CU-10 065")], 0.0), ([("Größe", "CU-10 090")], 0.0)]),
    Part("Dachbox Motion XT L", "Thule", (ROOF,), [("Volumen", "450 l"), ("Farbe", "Schwarz")],
         "<p>Beidseitig zu öffnen.</p>", 649.00, "629701"),
    Part("Fahrradträger für Anhängerkupplung", "Thule", (ROOF,), [("Fahrräder", "2")],
         "<p>Abklappbar, für E-Bikes.</p>", 499.00, "939000"),
    Part("Warnweste EN ISO 20471", "Kalff", (SAFETY,), [("Farbe", "Gelb")], "<p>Pflicht im Auto.</p>",
         2.90, "KW-01"),
    Part("Verbandkasten DIN 13164:2022", "Leina", (SAFETY,), [("Norm", "DIN 13164")],
         "<p>Kfz-Verbandtasche nach neuer Norm.</p>", 12.90, "REF-20000"),
]  # fmt: skip

_WRITTEN = {
    "bremsbeläge": (r"bremsbelagsatz", r"bremsbelage"),
    "bremsbelege": (r"bremsbelagsatz", r"bremsbelage"),
    "bremsbeläge golf 7": (r"bremsbelagsatz.*golf vii", r"bremsbelagsatz"),
    "bremsbeläge vorne golf 7": (r"bremsbelagsatz vorderachse.*golf vii", r"bremsbelagsatz.*golf vii"),
    "bremsbeläge hinten": (r"bremsbelagsatz hinterachse", r"bremsbelagsatz"),
    "bremsbeläge bmw f30": (r"bremsbelagsatz.*bmw 3er f30", r"bremsbelagsatz"),
    "bremsscheiben": (r"bremsscheibe", None),
    "bremsscheibe 312 mm": (r"bremsscheibe.*durchmesser=312 mm", r"bremsscheibe"),
    "bremsscheiben 312mm": (r"bremsscheibe.*durchmesser=312 mm", r"bremsscheibe"),
    "bremsscheiben hinten octavia": (r"bremsscheibe.*hinterachse.*octavia", r"bremsscheibe"),
    "bremsflüssigkeit dot 4": (r"dot 4", r"bremsflussigkeit"),
    "ölfilter": (r"olfilter", None),
    "oelfilter": (r"olfilter", None),
    "olfilter golf": (r"olfilter.*golf vii", r"olfilter"),
    "w 712/75": (r"w 712/75", r"olfilter"),
    "w712/75": (r"w 712/75", r"olfilter"),
    "hu 6004 x": (r"hu 6004 x", r"olfilter"),
    "mann ölfilter": (r"olfilter \| mann-filter", r"olfilter"),
    "luftfilter": (r"luftfilter", None),
    "luftfilter golf 7": (r"luftfilter.*golf vii", r"luftfilter"),
    "innenraumfilter": (r"innenraumfilter", None),
    "pollenfilter": (r"innenraumfilter", None),
    "aktivkohlefilter": (r"aktivkohle", r"innenraumfilter"),
    "dieselfilter": (r"kraftstofffilter diesel", None),
    "motoröl": (r"motorol", None),
    "motoroel": (r"motorol", None),
    "motorol 5w30": (r"viskositat=5w-30", r"motorol"),
    "5w30": (r"viskositat=5w-30", r"motorol"),
    "5w-30": (r"viskositat=5w-30", r"motorol"),
    "5w30 5l": (r"viskositat=5w-30.*inhalt=5 l", r"viskositat=5w-30"),
    "öl 5w30 5 liter": (r"viskositat=5w-30.*inhalt=5 l", r"viskositat=5w-30"),
    "0w20": (r"viskositat=0w-20", r"motorol"),
    "vw 504 00": (r"freigabe=vw 504 00", r"motorol"),
    "504 00 öl": (r"freigabe=vw 504 00", r"motorol"),
    "castrol edge": (r"castrol", r"motorol"),
    "liqui moly": (r"liqui moly", None),
    "frostschutz": (r"frostschutz", None),
    "kühlmittel g12": (r"g12", r"frostschutz"),
    "adblue": (r"adblue", None),
    "zündkerzen": (r"zundkerze", None),
    "zundkerzen": (r"zundkerze", None),
    "zuendkerzen": (r"zundkerze", None),
    "zündkerzen golf": (r"zundkerze.*golf vii", r"zundkerze"),
    "ngk zündkerze": (r"zundkerze.*ngk", r"zundkerze"),
    "glühkerzen": (r"gluhkerze", None),
    "h7": (r"sockel=h7", r"gluhlampe"),
    "h7 lampe": (r"sockel=h7", r"gluhlampe"),
    "h7 birne": (r"sockel=h7", r"gluhlampe"),
    "h4 glühbirne": (r"sockel=h4", r"gluhlampe"),
    "night breaker": (r"night breaker", r"gluhlampe"),
    "standlicht w5w": (r"w5w", r"gluhlampe"),
    "scheibenwischer": (r"scheibenwischer", None),
    "wischerblätter": (r"scheibenwischer", None),
    "scheibenwischer 600mm": (r"scheibenwischer.*lange=600 mm", r"aerotwin"),
    "wischer 650 mm": (r"scheibenwischer.*lange=650 mm", r"aerotwin"),
    "heckwischer": (r"heckwischer", r"scheibenwischer"),
    "aerotwin": (r"aerotwin", r"scheibenwischer"),
    "autobatterie": (r"autobatterie", None),
    "batterie 70ah": (r"kapazitat=70 ah", r"autobatterie"),
    "agm batterie": (r"technologie=agm", r"autobatterie"),
    "varta batterie": (r"autobatterie.*varta", r"autobatterie"),
    "start stop batterie": (r"start-stopp", r"autobatterie"),
    "starthilfekabel": (r"starthilfekabel", None),
    "ladekabel typ 2": (r"ladekabel typ 2", None),
    "batterieladegerät": (r"batterieladegerat", None),
    "ctek": (r"ctek", None),
    "stoßdämpfer": (r"stoßdämpfer", None),
    "stossdämpfer": (r"stoßdämpfer", None),
    "stossdaempfer golf": (r"stoßdämpfer.*golf vii", r"stoßdämpfer"),
    "domlager": (r"domlager", None),
    "zahnriemensatz": (r"zahnriemensatz", None),
    "zahnriemen golf 7": (r"zahnriemensatz.*golf vii", r"zahnriemensatz"),
    "wasserpumpe": (r"wasserpumpe", None),
    "keilrippenriemen": (r"keilrippenriemen", None),
    "6pk1050": (r"6pk1050", r"keilrippenriemen"),
    "sommerreifen": (r"sommerreifen", None),
    "205/55 r16": (r"reifengroße=205/55 r16", r"reifen"),
    "205 55 16": (r"reifengroße=205/55 r16", r"reifen"),
    "205/55r16": (r"reifengroße=205/55 r16", r"reifen"),
    "sommerreifen 225 45 17": (r"sommerreifen.*reifengroße=225/45 r17", r"sommerreifen"),
    "winterreifen 205/55 r16": (r"winterreifen.*reifengroße=205/55 r16", r"winterreifen"),
    "winterreifen": (r"winterreifen", None),
    "schneeketten": (r"schneeketten", None),
    "dachbox": (r"dachbox", None),
    "fahrradträger": (r"fahrradtrager", None),
    "warnweste": (r"warnweste", None),
    "verbandskasten": (r"verbandkasten", None),
    "0986494524": (r"0 986 494 524", r"bremsbelagsatz"),
    "0 986 494 524": (r"0 986 494 524", r"bremsbelagsatz"),
    "5q0698151b": (r"5q0 698 151 b", r"bremsbelagsatz"),
    "5Q0 615 301 F": (r"5q0 615 301 f", r"bremsscheibe"),
    "bosch": (r"\| bosch \|", None),
    "brembo bremsscheibe": (r"brembo", r"bremsscheibe"),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
