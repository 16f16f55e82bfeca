"""The Brno bicycle shop's catalog and judged queries (`bench.bike_shop`).

Cyklo Svratka, a bicycle shop in Brno, sells bicycles (mountain, road, trekking, electric, children's,
a balance bike and a used one), helmets, lights, locks, tyres and inner tubes, gloves, jerseys, cycle
computers, pumps, bottles and cages, chains and brakes, bags, racks, saddles, a child seat and tools,
in Czech and crowns, its own and a few Czech makers' (Horal, Ještěd, Lumen, Galus). Items are named as
Czech shops name them: the kind first, then the model and what tells it apart ("Horské kolo Horal
Trail 29 M", "Duše Galus 29x2,0-2,4 FV"); a bicycle's frame sizes, a helmet's and a jersey's sizes are
items of one group (Heureka's `ITEMGROUP_ID`), told apart by their `Velikost` parameter; categories
are Heureka's paths in the plural ("Sport | Cyklistika | Jízdní kola | Horská kola"). Shoppers type
with or without the Czech letters ("prilba", "zadni svetlo"), in the plural and other cases ("horská
kola", "zámky na kolo", "sada světel"), adjectives in another gender than the title's ("dětská kola"),
wheel and tyre sizes ("kolo 27,5", "plášť 29x2,25"), brands, a maker's code, an EAN, typos
("elektrokilo", "rukavyce") and the words the shop's synonyms hold ("helma", "mtb", "tachometr").
Patterns (`bench.shop_judging`) are matched against what the shop says each item is (`Bike.truth`),
which begins with its kind, lowercased and without accents (`fold`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.shop_judging import Judged, folded, written_pairs

_BIKES = "Sport | Cyklistika | Jízdní kola"
MTB, ROAD, TREK = f"{_BIKES} | Horská kola", f"{_BIKES} | Silniční kola", f"{_BIKES} | Trekingová kola"
EBIKE, KIDS = f"{_BIKES} | Elektrokola", f"{_BIKES} | Dětská kola"
_GEAR = "Sport | Cyklistika | Cyklistické oblečení a doplňky"
HELMETS, GLOVES, JERSEYS = (
    f"{_GEAR} | Cyklistické přilby",
    f"{_GEAR} | Cyklistické rukavice",
    f"{_GEAR} | Dresy",
)
_PARTS = "Sport | Cyklistika | Komponenty a příslušenství"
LIGHTS, LOCKS, TYRES = f"{_PARTS} | Osvětlení na kolo", f"{_PARTS} | Zámky na kolo", f"{_PARTS} | Pláště"
TUBES, COMPUTERS, PUMPS = f"{_PARTS} | Duše", f"{_PARTS} | Cyklocomputery", f"{_PARTS} | Pumpy"
BOTTLES, CAGES, CHAINS = f"{_PARTS} | Cyklistické lahve", f"{_PARTS} | Košíky na lahve", f"{_PARTS} | Řetězy"
BRAKES, BAGS, RACKS = f"{_PARTS} | Brzdy", f"{_PARTS} | Brašny na kolo", f"{_PARTS} | Nosiče"
SADDLES, SEATS, TOOLS = f"{_PARTS} | Sedla", f"{_PARTS} | Dětské sedačky", f"{_PARTS} | Nářadí na kolo"


@dataclass(frozen=True)
class Bike:
    """An item as the shop keeps it: its code (the maker's, `PRODUCTNO`), name as written, maker
    (`MANUFACTURER`), Heureka category path, kind (what it is, in the singular, for judging), price in
    crowns, HTML description, parameters ("Barva=černá; Velikost=M"), days to ship (0: in stock), its
    group (`ITEMGROUP_ID`, "" for none) and whether it is second-hand (`ITEM_TYPE` bazar)."""

    code: str
    name: str
    brand: str
    category: str
    kind: str
    price: float
    text: str
    params: str = ""
    delivery: str = "0"
    group: str = ""
    used: bool = False

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return written_pairs(self.params)

    def truth(self, ean: str) -> str:
        """What the shop says the item is, for judging: kind | name | maker | category | parameters and
        codes | description."""
        written = ", ".join(f"{n}={v}" for n, v in [*self.parameters, ("PRODUCTNO", self.code), ("EAN", ean)])
        state = " | bazar" if self.used else ""
        return " | ".join((self.kind, self.name, self.brand, self.category, written, self.text)) + state


def sized(base: Bike, sizes: list[tuple[str, str]]) -> list[Bike]:
    """`base` in each of its sizes, one group: (size as the name ends with it, the `Velikost` value)."""
    return [
        Bike(f"{base.code}-{end}", f"{base.name} {end}", base.brand, base.category, base.kind, base.price,
             base.text, f"{base.params}; Velikost={size}".lstrip("; "), base.delivery, base.code)
        for end, size in sizes
    ]  # fmt: skip


TRAIL = Bike("HR-TR29", "Horské kolo Horal Trail 29", "Horal", MTB, "horské kolo", 24990.0,
             "<p>Hardtail na trail s pérovou vidlicí 120 mm a kotoučovými brzdami.</p>",
             "Velikost kol=29\"; Materiál rámu=hliník; Barva=černá; Počet převodů=12")  # fmt: skip
HELMET = Bike("JS-AIR", "Cyklistická přilba Ještěd Air", "Ještěd", HELMETS, "přilba", 1890.0,
              "<p>Lehká větraná přilba na silnici i do lesa.</p>", "Barva=bílá")  # fmt: skip
JERSEY = Bike("SV-DR-M", "Cyklistický dres pánský Svratka", "Cyklo Svratka", JERSEYS, "dres", 1290.0,
              "<p>Prodyšný dres s krátkým rukávem a třemi zadními kapsami.</p>", "Barva=modrá")  # fmt: skip

CATALOG: list[Bike] = [
    *sized(TRAIL, [("S", "S (15\")"), ("M", "M (17\")"), ("L", "L (19\")")]),
    Bike("HR-RK275", "Horské kolo Horal Rock 27,5", "Horal", MTB, "horské kolo", 15990.0,
         "<p>Spolehlivé horské kolo pro začátečníky, mechanické kotoučové brzdy.</p>",
         "Velikost kol=27,5\"; Materiál rámu=hliník; Barva=zelená; Počet převodů=8", "3"),
    Bike("HR-AERO", "Silniční kolo Horal Aero 105", "Horal", ROAD, "silniční kolo", 42990.0,
         "<p>Karbonový rám, sada Shimano 105, ráfkové brzdy.</p>",
         "Velikost kol=28\"; Materiál rámu=karbon; Barva=červená; Počet převodů=22", "7"),
    Bike("HR-VLT28", "Trekingové kolo Horal Vltava 28", "Horal", TREK, "trekingové kolo", 18490.0,
         "<p>Kolo na cesty i do města, s blatníky, nosičem a dynamem.</p>",
         "Velikost kol=28\"; Materiál rámu=hliník; Barva=stříbrná"),
    Bike("HR-ETR500", "Elektrokolo Horal E-Trek 500 Wh", "Horal", EBIKE, "elektrokolo", 54990.0,
         "<p>Trekingové elektrokolo se středovým motorem a baterií 500 Wh, dojezd až 120 km.</p>",
         "Velikost kol=28\"; Kapacita baterie=500 Wh; Barva=šedá"),
    Bike("HR-ERK29", "Horské elektrokolo Horal E-Rock 29", "Horal", EBIKE, "elektrokolo", 79990.0,
         "<p>Celoodpružené elektrokolo do terénu, baterie 750 Wh.</p>",
         "Velikost kol=29\"; Kapacita baterie=750 Wh; Barva=černá", "14"),
    Bike("KB-20", "Dětské kolo Kuba 20", "Horal", KIDS, "dětské kolo", 7490.0,
         "<p>Kolo pro děti od 6 let, 6 převodů, V-brzdy.</p>", "Velikost kol=20\"; Barva=modrá"),
    Bike("KB-16", "Dětské kolo Kuba 16", "Horal", KIDS, "dětské kolo", 4990.0,
         "<p>První kolo s pedály pro děti od 4 let, s přídavnými kolečky.</p>",
         "Velikost kol=16\"; Barva=růžová"),
    Bike("KB-MINI", "Odrážedlo Kuba Mini 12", "Horal", KIDS, "odrážedlo", 2290.0,
         "<p>Dřevěné odrážedlo pro děti od 2 let.</p>", "Velikost kol=12\"; Barva=přírodní"),
    Bike("BZ-TR29-M", "Horské kolo Horal Trail 29 M - bazar", "Horal", MTB, "horské kolo", 14990.0,
         "<p>Zánovní kolo z půjčovny, najeto 300 km, po servisu.</p>",
         "Velikost kol=29\"; Materiál rámu=hliník; Barva=černá; Velikost=M (17\")", used=True),
    *sized(HELMET, [("M", "M (55-58 cm)"), ("L", "L (58-61 cm)")]),
    Bike("JS-KID", "Dětská přilba Ještěd Kid", "Ještěd", HELMETS, "přilba", 790.0,
         "<p>Přilba pro děti s blikačkou vzadu.</p>", "Velikost=S (48-54 cm); Barva=žlutá"),
    Bike("JS-URB", "Přilba na elektrokolo Ještěd Urban", "Ještěd", HELMETS, "přilba", 2490.0,
         "<p>Městská přilba s certifikací pro rychlá elektrokola a světlem.</p>", "Velikost=L (57-61 cm)"),
    Bike("LM-F800", "Přední světlo Lumen 800 lm USB", "Lumen", LIGHTS, "světlo", 1190.0,
         "<p>Nabíjecí přední světlo na řídítka, pět režimů.</p>", "Svítivost=800 lm; Napájení=USB-C"),
    Bike("LM-RED", "Zadní světlo Lumen Red", "Lumen", LIGHTS, "světlo", 390.0,
         "<p>Zadní blikačka na sedlovku, nabíjení USB.</p>", "Napájení=USB"),
    Bike("LM-CITY", "Sada světel Lumen City", "Lumen", LIGHTS, "světlo", 690.0,
         "<p>Přední a zadní světlo na baterie do města.</p>", "Napájení=baterie AAA"),
    Bike("OC-U18", "Zámek na kolo U Ocel 18 mm", "Ocel", LOCKS, "zámek", 990.0,
         "<p>Třmenový zámek z kalené oceli s držákem na rám.</p>", "Stupeň zabezpečení=10/15"),
    Bike("OC-K120", "Kabelový zámek Ocel 120 cm", "Ocel", LOCKS, "zámek", 349.0,
         "<p>Spirálový kabel s klíčem.</p>", "Délka=120 cm"),
    Bike("OC-SKL", "Skládací zámek Ocel Fold", "Ocel", LOCKS, "zámek", 1490.0,
         "<p>Článkový skládací zámek s pouzdrem.</p>", "Délka=90 cm; Stupeň zabezpečení=12/15"),
    Bike("GL-TR29", "Plášť Galus Trail 29x2,25", "Galus", TYRES, "plášť", 790.0,
         "<p>Terénní plášť s kevlarovou patkou, bezdušový.</p>", "Rozměr=29x2,25 (57-622)"),
    Bike("GL-RD28", "Plášť Galus Road 700x28C", "Galus", TYRES, "plášť", 690.0,
         "<p>Silniční plášť s ochranou proti defektu.</p>", "Rozměr=700x28C (28-622)"),
    Bike("GL-D29FV", "Duše Galus 29x2,0-2,4 FV", "Galus", TUBES, "duše", 169.0,
         "<p>Duše s galuskovým ventilem 48 mm.</p>", "Rozměr=29x2,0-2,4; Ventil=galuskový (FV)"),
    Bike("GL-D20AV", "Duše Galus 20x1,75 AV", "Galus", TUBES, "duše", 119.0,
         "<p>Duše s autoventilkem pro dětská kola.</p>", "Rozměr=20x1,75; Ventil=auto (AV)"),
    Bike("SV-RK-GEL", "Cyklistické rukavice Gel krátkoprsté", "Cyklo Svratka", GLOVES, "rukavice", 449.0,
         "<p>Letní rukavice s gelovými polštářky.</p>", "Velikost=L"),
    Bike("SV-RK-ZIM", "Zimní rukavice na kolo Thermo", "Cyklo Svratka", GLOVES, "rukavice", 790.0,
         "<p>Zateplené dlouhoprsté rukavice, ovládání dotykového displeje.</p>", "Velikost=M"),
    *sized(JERSEY, [("S", "S"), ("M", "M"), ("L", "L")]),
    Bike("LM-GPS2", "Cyklocomputer GPS Lumen Navi 2", "Lumen", COMPUTERS, "cyklocomputer", 4990.0,
         "<p>GPS navigace na kolo s mapami a měřením tepu.</p>", "Displej=2,4\""),
    Bike("LM-WL", "Bezdrátový cyklocomputer Lumen Basic", "Lumen", COMPUTERS, "cyklocomputer", 590.0,
         "<p>Tachometr s 12 funkcemi, rychlost a vzdálenost.</p>"),
    Bike("SV-HUS", "Ruční hustilka Mini", "Cyklo Svratka", PUMPS, "pumpa", 299.0,
         "<p>Malá pumpička do dresu na oba ventily.</p>", "Ventil=FV, AV"),
    Bike("SV-STP", "Stojanová pumpa s manometrem", "Cyklo Svratka", PUMPS, "pumpa", 890.0,
         "<p>Dílenská pumpa do 11 barů.</p>", "Ventil=FV, AV, DV; Tlak=11 bar"),
    Bike("SV-LAH75", "Cyklistická láhev 750 ml", "Cyklo Svratka", BOTTLES, "láhev", 149.0,
         "<p>Měkká láhev bez BPA.</p>", "Objem=750 ml"),
    Bike("SV-KOS-AL", "Košík na láhev hliníkový", "Cyklo Svratka", CAGES, "košík", 199.0,
         "<p>Lehký košík na rám.</p>", "Materiál=hliník"),
    Bike("SV-RZ12", "Řetěz 12 rychlostí", "Cyklo Svratka", CHAINS, "řetěz", 899.0,
         "<p>Řetěz pro dvanáctirychlostní pohony, 126 článků.</p>", "Počet převodů=12"),
    Bike("SV-BD-KOT", "Brzdové destičky kotoučové organické", "Cyklo Svratka", BRAKES, "brzdové destičky",
         249.0, "<p>Destičky pro hydraulické kotoučové brzdy.</p>"),
    Bike("SV-BR-HYD", "Kotoučová brzda hydraulická zadní", "Cyklo Svratka", BRAKES, "brzda", 1990.0,
         "<p>Hydraulická brzda s kotoučem 180 mm.</p>", "Průměr kotouče=180 mm", "7"),
    Bike("SV-BRS20", "Brašna na nosič 20 l", "Cyklo Svratka", BAGS, "brašna", 1290.0,
         "<p>Voděodolná brašna s rychloupínáním.</p>", "Objem=20 l"),
    Bike("SV-NOS", "Zadní nosič na kolo 26-29\"", "Cyklo Svratka", RACKS, "nosič", 690.0,
         "<p>Hliníkový nosič do 25 kg.</p>", "Nosnost=25 kg"),
    Bike("SV-SDL-G", "Gelové sedlo pánské Comfort", "Cyklo Svratka", SADDLES, "sedlo", 590.0,
         "<p>Pohodlné sedlo na treking s gelovou výplní.</p>"),
    Bike("SV-SED-D", "Dětská sedačka na kolo zadní", "Cyklo Svratka", SEATS, "sedačka", 1790.0,
         "<p>Sedačka na nosič pro děti do 22 kg.</p>", "Nosnost=22 kg"),
    Bike("SV-MK15", "Multiklíč 15 funkcí", "Cyklo Svratka", TOOLS, "nářadí", 399.0,
         "<p>Kapesní nářadí s klíči a řetězovou drtičkou.</p>"),
    Bike("SV-MST", "Montážní stojan na kolo", "Cyklo Svratka", TOOLS, "nářadí", 2490.0,
         "<p>Skládací stojan pro servis doma.</p>", "Nosnost=30 kg"),
]  # fmt: skip

BIKES, HELMETS_, LIGHTS_ = (
    r"^(horské kolo|silniční kolo|trekingové kolo|elektrokolo|dětské kolo)",
    r"^přilba",
    r"^světlo",
)
_WRITTEN = {
    "kolo": (BIKES, r"^odrážedlo"), "kola": (BIKES, r"^odrážedlo"),
    "horské kolo": (r"^horské kolo", BIKES), "horske kolo": (r"^horské kolo", BIKES),
    "horská kola": (r"^horské kolo", BIKES), "horské kolo 29": (r"^horské kolo.*29\"", r"^horské kolo"),
    "horske kolo 27,5": (r"^horské kolo.*27,5", r"^horské kolo"), "kolo 27.5": (r"^horské kolo.*27,5", BIKES),
    "horské kolo M": (r"^horské kolo \| horské kolo horal trail 29 m", r"^horské kolo"),
    "mtb": (r"^horské kolo", r"^elektrokolo"), "mtb 29": (r"^horské kolo.*29\"", r"^horské kolo"),
    "elektrokolo": (r"^elektrokolo", None), "elektrokola": (r"^elektrokolo", None),
    "elektro kolo": (r"^elektrokolo", None), "ebike": (r"^elektrokolo", None),
    "elektrokilo": (r"^elektrokolo", None),
    "horské elektrokolo": (r"^elektrokolo \| horské", r"^elektrokolo"),
    "elektrokolo 500 wh": (r"^elektrokolo.*500 wh", r"^elektrokolo"),
    "silniční kolo": (r"^silniční kolo", BIKES), "silnicni kolo": (r"^silniční kolo", BIKES),
    "silniční kola karbon": (r"^silniční kolo", BIKES),
    "trekingové kolo": (r"^trekingové kolo", BIKES), "trekingova kola": (r"^trekingové kolo", BIKES),
    "dětské kolo": (r"^dětské kolo", r"^odrážedlo"),
    "detske kolo 20": (r"^dětské kolo.*20\"", r"^dětské kolo"),
    "dětská kola": (r"^dětské kolo", r"^odrážedlo"), "kolo pro děti": (r"^(dětské kolo|odrážedlo)", None),
    "odrážedlo": (r"^odrážedlo", r"^dětské kolo"), "odrazedla": (r"^odrážedlo", r"^dětské kolo"),
    "bazar kolo": (r"\| bazar$", BIKES), "použité kolo": (r"\| bazar$", BIKES),
    "přilba": (HELMETS_, None), "prilba": (HELMETS_, None), "přilby": (HELMETS_, None),
    "helma": (HELMETS_, None), "helma na kolo": (HELMETS_, None), "helmy": (HELMETS_, None),
    "cyklistická přilba": (r"^přilba \| cyklistická", HELMETS_),
    "dětská přilba": (r"^přilba \| dětská", HELMETS_), "detska helma": (r"^přilba \| dětská", HELMETS_),
    "přilba L": (r"^přilba.*velikost=l ", HELMETS_), "prilba 58-61": (r"^přilba.*58-61", HELMETS_),
    "přilba na elektrokolo": (r"^přilba \| přilba na elektrokolo", HELMETS_),
    "světlo": (LIGHTS_, None), "svetlo na kolo": (LIGHTS_, None), "světla na kolo": (LIGHTS_, None),
    "přední světlo": (r"^světlo \| přední", LIGHTS_), "zadní světlo": (r"^světlo \| zadní", LIGHTS_),
    "zadni svetlo": (r"^světlo \| zadní", LIGHTS_), "sada světel": (r"^světlo \| sada", LIGHTS_),
    "světlo usb": (r"^světlo.*usb", LIGHTS_), "blikačka": (r"^světlo \| zadní", LIGHTS_),
    "zámek": (r"^zámek", None), "zamek na kolo": (r"^zámek", None), "zámky na kolo": (r"^zámek", None),
    "u zámek": (r"^zámek \| zámek na kolo u", r"^zámek"),
    "kabelový zámek": (r"^zámek \| kabelový", r"^zámek"),
    "skladaci zamek": (r"^zámek \| skládací", r"^zámek"),
    "plášť": (r"^plášť", None), "plaste": (r"^plášť", None), "plášť 29": (r"^plášť.*29x", r"^plášť"),
    "plášť 29x2,25": (r"^plášť.*29x2,25", r"^plášť"), "plášť 700x28": (r"^plášť.*700x28", r"^plášť"),
    "silniční plášť": (r"^plášť \| plášť galus road", r"^plášť"),
    "pneumatika 29": (r"^plášť.*29x", r"^plášť"),
    "duše": (r"^duše", None), "duše 29": (r"^duše.*29x", r"^duše"), "duse 20": (r"^duše.*20x", r"^duše"),
    "duše galuskový ventil": (r"^duše.*galuskový", r"^duše"),
    "rukavice": (r"^rukavice", None), "rukavice na kolo": (r"^rukavice", None),
    "cyklistické rukavice": (r"^rukavice", None), "zimní rukavice": (r"^rukavice \| zimní", r"^rukavice"),
    "rukavyce": (r"^rukavice", None),
    "dres": (r"^dres", None), "cyklistický dres": (r"^dres", None), "cyklo dres pánský": (r"^dres", None),
    "dres L": (r"^dres.*velikost=l,", r"^dres"),
    "cyklocomputer": (r"^cyklocomputer", None), "cyklopočítač": (r"^cyklocomputer", None),
    "tachometr na kolo": (r"^cyklocomputer", None), "gps navigace na kolo": (r"^cyklocomputer \|.*gps", None),
    "cyklokomputer": (r"^cyklocomputer", None),
    "pumpa": (r"^pumpa", None), "hustilka": (r"^pumpa", None), "pumpička": (r"^pumpa", None),
    "pumpa s manometrem": (r"^pumpa \| stojanová", r"^pumpa"), "hustlka": (r"^pumpa", None),
    "láhev": (r"^láhev", r"^košík"), "lahev na kolo": (r"^láhev", r"^košík"), "bidon": (r"^láhev", r"^košík"),
    "košík na láhev": (r"^košík", r"^láhev"),
    "řetěz": (r"^řetěz", None), "retez 12 rychlosti": (r"^řetěz", None),
    "brzdové destičky": (r"^brzdové destičky", r"^brzda"),
    "brzdove desticky": (r"^brzdové destičky", r"^brzda"),
    "kotoučová brzda": (r"^brzda \| kotoučová", r"^brzdové"), "kotoucove brzdy": (r"^brzda", r"^brzdové"),
    "brašna na nosič": (r"^brašna", None), "nosič na kolo": (r"^nosič", None),
    "sedlo": (r"^sedlo", None), "gelové sedlo": (r"^sedlo", None),
    "dětská sedačka na kolo": (r"^sedačka", None), "sedacka na kolo": (r"^sedačka", None),
    "multiklíč": (r"^nářadí \| multiklíč", r"^nářadí"),
    "montážní stojan": (r"^nářadí \| montážní", r"^nářadí"),
    "horal": (r"\| horal \|", None), "ještěd přilba": (r"^přilba.*\| ještěd \|", HELMETS_),
    "lumen": (r"\| lumen \|", None), "galus plášť": (r"^plášť", r"\| galus \|"),
    "HR-TR29-L": (r"productno=hr-tr29-l,", r"productno=hr-tr29-"),
    "8595721300314": (r"ean=8595721300314", None),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
