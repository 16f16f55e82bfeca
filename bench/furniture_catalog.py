"""The Poznań furniture shop's catalog and judged queries (`bench.furniture_shop`).

Meble Warta, a furniture shop in Poznań, sells chairs, tables, wardrobes and chests of drawers, beds,
mattresses, sofas, shelves, desks, lamps, rugs, mirrors and garden furniture, in Polish and złoty, its
own and a few Polish makers' (Drewnex, Sennik, Lumina, Kuferek). An offer is named as Polish shops name
them: the kind first, then what tells it apart ("Krzesło tapicerowane Milo szare", "Łóżko kontynentalne
160x200"), each colour of a chair its own offer, as Ceneo's feed has no variants; its parameters are
named attributes ("Kolor", "Materiał", "Wymiary"). Shoppers type with or without the Polish letters
("lozko", "krzeslo"), in the plural and in other cases ("krzesła do jadalni", "stoliki kawowe",
"zestaw mebli ogrodowych"), adjectives agreeing with the noun in other genders than the title's ("białe
łóżko", "biała komoda"), sizes, colours, brands, codes as printed, typos ("kszesło", "materac
kieszenowy") and the words the shop's synonyms hold ("kanapa", "hoker"). Patterns (`bench.shop_judging`)
are matched against what the shop says each offer is (`Furniture.truth`), which begins with its kind,
lowercased and without accents (`fold`, which leaves "ł" as it is: patterns write "ł" where the
catalog does).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.shop_judging import Judged, folded, written_pairs

CHAIR, TABLE, SMALL_TABLE = "Meble/Krzesła/Krzesło", "Meble/Stoły/Stół", "Meble/Stoliki/Stolik"
STOOL, OFFICE = "Meble/Krzesła/Hoker", "Meble/Krzesła biurowe/Fotel biurowy"
WARDROBE, DRESSER, CABINET = "Meble/Szafy/Szafa", "Meble/Komody/Komoda", "Meble/Szafki/Szafka"
BED, MATTRESS = "Sypialnia/Łóżka/Łóżko", "Sypialnia/Materace/Materac"
SOFA, CORNER, ARMCHAIR = "Meble/Sofy/Sofa", "Meble/Narożniki/Narożnik", "Meble/Fotele/Fotel"
SHELF, RACK, DESK = "Meble/Półki/Półka", "Meble/Regały/Regał", "Meble/Biurka/Biurko"
PENDANT, FLOOR_LAMP, DESK_LAMP = (f"Oświetlenie/{kind}" for kind in
    ("Lampy wiszące/Lampa wisząca", "Lampy stojące/Lampa podłogowa", "Lampki/Lampka biurkowa"))  # fmt: skip
RUG, MIRROR = "Dekoracje/Dywany/Dywan", "Dekoracje/Lustra/Lustro"
GARDEN_SET, LOUNGER, SWING = (f"Ogród/Meble ogrodowe/{kind}" for kind in
    ("Zestaw mebli ogrodowych", "Leżak", "Huśtawka ogrodowa"))  # fmt: skip
HIGH_CHAIR, BUNK = "Dziecko/Meble dziecięce/Krzesełko do karmienia", "Dziecko/Meble dziecięce/Łóżko piętrowe"


@dataclass(frozen=True)
class Furniture:
    """An offer as the shop keeps it: its code (its maker's code, `Kod_producenta`), name as written,
    maker (`Producent`), category ("Level/Level/Kind"), price in złoty, colour, material, dimensions,
    HTML description, stock on hand, Ceneo's availability code (1: ships in a day, 3, 7, 14 days; 90:
    made to order) and further parameters ("Twardość=H3")."""

    code: str
    name: str
    brand: str
    category: str
    price: float
    colour: str
    material: str
    size: str
    text: str
    stock: int = 5
    avail: int = 1
    more: str = ""

    @property
    def kind(self) -> str:
        return self.category.split("/")[-1]

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """The offer's `<a name=...>` parameters after maker, code and EAN: colour, material, size, the
        rest."""
        rows = [("Kolor", self.colour), ("Materiał", self.material), ("Wymiary", self.size)]
        rows += written_pairs(self.more)
        return [(name, value) for name, value in rows if value]

    def truth(self, ean: str) -> str:
        """What the shop says the offer is, for judging: kind | name | maker | category | parameters |
        description."""
        written = ", ".join(f"{n}={v}" for n, v in self.parameters)
        path = self.category.replace("/", " > ")
        codes = f"Kod_producenta={self.code}, EAN={ean}"
        return " | ".join((self.kind, self.name, self.brand, path, f"{written}, {codes}", self.text))


def chair(colour: str, written: str, code: str, stock: int = 5) -> Furniture:
    """The upholstered dining chair in one colour ("szare": the name agrees with "krzesło")."""
    return Furniture(code, f"Krzesło tapicerowane Milo {written}", "Meble Warta", CHAIR, 349.00, colour,
                     "Welur, nogi bukowe", "45x56x88 cm",
                     "<p>Wygodne krzesło do jadalni i salonu, obicie z weluru.</p>", stock)  # fmt: skip


CATALOG: list[Furniture] = [
    chair("Szary", "szare", "WM-MILO-SZ"),
    chair("Beżowy", "beżowe", "WM-MILO-BZ"),
    chair("Zielony", "zielone", "WM-MILO-ZI", stock=0),
    Furniture("DX-KD-02", "Krzesło drewniane dębowe Bruno", "Drewnex", CHAIR, 459.00, "Dąb naturalny",
              "Lite drewno dębowe", "44x52x90 cm", "<p>Klasyczne krzesło z litego dębu.</p>"),
    Furniture("WM-HK-01", "Hoker barowy Loft czarny", "Meble Warta", STOOL, 289.00, "Czarny",
              "Metal, ekoskóra", "40x40x105 cm", "<p>Stołek barowy do wyspy kuchennej.</p>"),
    Furniture("WM-FB-07", "Fotel biurowy obrotowy Ergo", "Meble Warta", OFFICE, 699.00, "Czarny",
              "Siatka, tworzywo", "65x65x120 cm", "<p>Ergonomiczne krzesło biurowe z podłokietnikami.</p>",
              more="Regulacja wysokości=Tak"),
    Furniture("DX-ST-140", "Stół rozkładany Oslo 140-180 cm", "Drewnex", TABLE, 1299.00, "Biały",
              "Płyta laminowana, nogi dębowe", "140(180)x80x76 cm",
              "<p>Stół do jadalni dla 6-8 osób, rozkładany.</p>"),
    Furniture("DX-SO-100", "Stół okrągły Vigo fi 100", "Drewnex", TABLE, 999.00, "Dąb sonoma",
              "Płyta MDF", "fi 100x76 cm", "<p>Okrągły stół do małej jadalni.</p>"),
    Furniture("WM-SK-05", "Stolik kawowy Nordic dąb", "Meble Warta", SMALL_TABLE, 399.00, "Dąb",
              "Lite drewno",
              "90x50x45 cm", "<p>Niski stolik do salonu z półką.</p>"),
    Furniture("WM-SN-02", "Stolik nocny z szufladą Lina biały", "Meble Warta", SMALL_TABLE, 229.00, "Biały",
              "Płyta MDF", "40x35x50 cm", "<p>Szafka nocna z jedną szufladą.</p>"),
    Furniture("DX-SZ-2D", "Szafa przesuwna 2-drzwiowa Alta 150 cm", "Drewnex", WARDROBE, 1899.00, "Biały",
              "Płyta laminowana, lustro", "150x61x215 cm",
              "<p>Szafa z lustrem do sypialni i przedpokoju.</p>",
              avail=14),
    Furniture("WM-KM-4S", "Komoda Lina 4 szuflady biała", "Meble Warta", DRESSER, 649.00, "Biały",
              "Płyta MDF", "80x40x100 cm", "<p>Komoda do sypialni z cichym domykiem.</p>"),
    Furniture("WM-KM-3D", "Komoda Nordic 3 drzwi dąb", "Meble Warta", DRESSER, 899.00, "Dąb",
              "Płyta laminowana",
              "150x40x85 cm", "<p>Szeroka komoda do salonu.</p>"),
    Furniture("WM-RTV-160", "Szafka RTV Loft 160 cm", "Meble Warta", CABINET, 549.00, "Czarny",
              "Płyta laminowana, metal", "160x40x45 cm", "<p>Szafka pod telewizor z otwartymi półkami.</p>"),
    Furniture("WM-SL-60", "Szafka łazienkowa pod umywalkę 60 cm", "Meble Warta", CABINET, 479.00,
              "Biały połysk",
              "Płyta wodoodporna", "60x45x55 cm", "<p>Szafka pod umywalkę nablatową, dwie szuflady.</p>"),
    Furniture("SN-LK-160", "Łóżko kontynentalne Sen 160x200", "Sennik", BED, 3499.00, "Szary", "Tkanina",
              "160x200 cm", "<p>Łóżko z materacem kieszeniowym i topperem.</p>", avail=90),
    Furniture("DX-LD-140", "Łóżko drewniane Bruno 140x200", "Drewnex", BED, 1599.00, "Dąb naturalny",
              "Lite drewno sosnowe", "140x200 cm", "<p>Drewniane łóżko do sypialni, bez materaca.</p>"),
    Furniture("WM-LT-90", "Łóżko tapicerowane z pojemnikiem Lina 90x200", "Meble Warta", BED, 1299.00,
              "Beżowy",
              "Welur", "90x200 cm", "<p>Pojedyncze łóżko z pojemnikiem na pościel.</p>"),
    Furniture("SN-MP-160", "Materac piankowy Sen Komfort 160x200", "Sennik", MATTRESS, 1199.00, "Biały",
              "Pianka wysokoelastyczna", "160x200x18 cm", "<p>Materac piankowy średnio twardy.</p>",
              more="Twardość=H3"),
    Furniture("SN-MK-90", "Materac kieszeniowy Sen Max 90x200", "Sennik", MATTRESS, 899.00, "Biały",
              "Sprężyny kieszeniowe, pianka", "90x200x22 cm", "<p>Materac kieszeniowy siedmiostrefowy.</p>",
              more="Twardość=H2"),
    Furniture("SN-MK-140", "Materac kieszeniowy Sen Max 140x200", "Sennik", MATTRESS, 1399.00, "Biały",
              "Sprężyny kieszeniowe, pianka", "140x200x22 cm", "<p>Materac kieszeniowy siedmiostrefowy.</p>",
              more="Twardość=H2"),
    Furniture("KF-MD-70", "Materac dziecięcy kokosowy 70x140", "Kuferek", MATTRESS, 349.00, "Biały",
              "Kokos, pianka", "70x140x10 cm", "<p>Materac do łóżeczka dziecięcego.</p>"),
    Furniture("WM-NR-L", "Narożnik rozkładany Verona z funkcją spania", "Meble Warta", CORNER, 3299.00,
              "Grafitowy", "Tkanina plecionka", "270x190x90 cm",
              "<p>Narożnik do salonu z pojemnikiem i funkcją spania.</p>"),
    Furniture("WM-SF-3", "Sofa 3-osobowa Nordic", "Meble Warta", SOFA, 2199.00, "Butelkowa zieleń", "Welur",
              "210x90x85 cm", "<p>Trzyosobowa sofa na drewnianych nóżkach.</p>", stock=0),
    Furniture("WM-SF-2R", "Sofa rozkładana 2-osobowa Mila", "Meble Warta", SOFA, 1699.00, "Szary", "Tkanina",
              "160x90x85 cm", "<p>Dwuosobowa sofa z funkcją spania.</p>"),
    Furniture("WM-FU-01", "Fotel uszak Bergen", "Meble Warta", ARMCHAIR, 1099.00, "Musztardowy", "Welur",
              "78x85x105 cm", "<p>Fotel z uszami w stylu skandynawskim.</p>"),
    Furniture("DX-RG-5", "Regał na książki Oslo 5 półek", "Drewnex", RACK, 499.00, "Biały",
              "Płyta laminowana", "80x30x180 cm", "<p>Wysoki regał do salonu i pokoju dziecka.</p>"),
    Furniture("WM-PS-80", "Półka ścienna dębowa 80 cm", "Meble Warta", SHELF, 129.00, "Dąb", "Lite drewno",
              "80x20x3 cm", "<p>Półka na ścianę z ukrytym mocowaniem.</p>"),
    Furniture("WM-BG-120", "Biurko gamingowe Pro 120 cm czarne", "Meble Warta", DESK, 799.00, "Czarny",
              "Stal, płyta z włókna węglowego", "120x60x75 cm",
              "<p>Biurko dla gracza z uchwytem na słuchawki.</p>"),
    Furniture("DX-BS-3", "Biurko z szufladami Lina białe", "Drewnex", DESK, 599.00, "Biały", "Płyta MDF",
              "110x55x76 cm", "<p>Biurko do pokoju ucznia z trzema szufladami.</p>"),
    Furniture("KF-BD-01", "Biurko dziecięce z regulacją wysokości", "Kuferek", DESK, 899.00, "Biały",
              "Płyta MDF",
              "100x60x52-76 cm", "<p>Rośnie razem z dzieckiem.</p>"),
    Furniture("LM-LW-3", "Lampa wisząca Orbit 3-punktowa", "Lumina", PENDANT, 329.00, "Złoty", "Metal, szkło",
              "fi 50 cm", "<p>Lampa sufitowa nad stół, trzy klosze ze szkła.</p>", more="Gwint=E27"),
    Furniture("LM-LP-01", "Lampa podłogowa Arco czarna", "Lumina", FLOOR_LAMP, 459.00, "Czarny", "Metal",
              "wys. 180 cm", "<p>Łukowa lampa stojąca do salonu.</p>", more="Gwint=E27"),
    Furniture("LM-LB-LED", "Lampka biurkowa LED z ładowarką", "Lumina", DESK_LAMP, 149.00, "Biały",
              "Tworzywo", "wys. 40 cm", "<p>Lampka na biurko z ładowarką indukcyjną.</p>",
              more="Źródło światła=LED 8 W"),
    Furniture("WM-DS-160", "Dywan shaggy Puszek 160x230 kremowy", "Meble Warta", RUG, 399.00, "Kremowy",
              "Polipropylen", "160x230 cm", "<p>Miękki dywan z długim włosem.</p>"),
    Furniture("WM-DO-120", "Dywan okrągły Boho fi 120", "Meble Warta", RUG, 249.00, "Beżowy", "Juta",
              "fi 120 cm", "<p>Pleciony dywan z juty.</p>", avail=3),
    Furniture("WM-LU-60", "Lustro okrągłe w złotej ramie 60 cm", "Meble Warta", MIRROR, 279.00, "Złoty",
              "Metal, szkło", "fi 60 cm", "<p>Lustro do przedpokoju i łazienki.</p>"),
    Furniture("DX-ZO-4", "Zestaw mebli ogrodowych Capri 4-osobowy", "Drewnex", GARDEN_SET, 2499.00,
              "Grafitowy",
              "Technorattan, aluminium", "", "<p>Sofa, dwa fotele i stolik na taras.</p>",
              more="Liczba elementów=4"),
    Furniture("DX-LZ-01", "Leżak ogrodowy składany", "Drewnex", LOUNGER, 199.00, "Zielony", "Drewno akacjowe",
              "58x110x85 cm", "<p>Składany leżak na taras i do ogrodu.</p>", stock=0),
    Furniture("DX-HO-3", "Huśtawka ogrodowa 3-osobowa z daszkiem", "Drewnex", SWING, 1199.00, "Szary",
              "Stal, poliester", "172x110x153 cm", "<p>Huśtawka z daszkiem i poduchami.</p>", avail=7),
    Furniture("KF-KK-01", "Krzesełko do karmienia 3w1", "Kuferek", HIGH_CHAIR, 399.00, "Biały",
              "Drewno bukowe", "", "<p>Rośnie z dzieckiem: krzesełko, krzesło i stolik.</p>"),
    Furniture("KF-LP-90", "Łóżko piętrowe dla dzieci Tomek 90x200", "Kuferek", BUNK, 1799.00, "Biały",
              "Lite drewno sosnowe", "90x200 cm", "<p>Piętrowe łóżko z drabinką i barierkami.</p>",
              avail=90),
]  # fmt: skip

CHAIRS, BEDS, MATTRESSES = r"^(krzesło|hoker)", r"^łóżko", r"^materac"
TABLES, DESKS, LAMPS = r"^stół", r"^biurko", r"^lamp"
_WRITTEN = {
    "krzesło": (r"^krzesło \|", CHAIRS), "krzeslo": (r"^krzesło \|", CHAIRS),
    "krzesła": (r"^krzesło \|", CHAIRS), "krzesla do jadalni": (r"^krzesło \|", CHAIRS),
    "kszesło": (r"^krzesło \|", CHAIRS), "szare krzesło": (r"^krzesło \|.*kolor=szary", r"^krzesło \|"),
    "krzesło tapicerowane": (r"^krzesło \| krzesło tapicerowane", r"^krzesło \|"),
    "krzesła tapicerowane zielone": (r"^krzesło \|.*kolor=zielony", r"^krzesło \|"),
    "krzesło dębowe": (r"^krzesło \|.*dęb", r"^krzesło \|"),
    "krzesło barowe": (r"^hoker", CHAIRS), "hoker": (r"^hoker", CHAIRS),
    "fotel biurowy": (r"^fotel biurowy", None), "krzesło biurowe": (r"^fotel biurowy", None),
    "stół": (TABLES, None), "stol": (TABLES, None), "stoły": (TABLES, None),
    "stół rozkładany": (r"^stół \| stół rozkładany", TABLES),
    "stol okragly": (r"^stół \| stół okrągły", TABLES),
    "stolik kawowy": (r"^stolik \| stolik kawowy", r"^stolik"),
    "stoliki kawowe": (r"^stolik \| stolik kawowy", r"^stolik"),
    "stolik nocny": (r"^stolik \| stolik nocny", r"^stolik"),
    "szafka nocna": (r"^stolik \| stolik nocny", r"^stolik"),
    "szafa": (r"^szafa \|", None), "szafa przesuwna": (r"^szafa \|", None),
    "szafa z lustrem": (r"^szafa \|", None),
    "komoda": (r"^komoda", None), "komody": (r"^komoda", None),
    "biała komoda": (r"^komoda.*kolor=biały", r"^komoda"),
    "komoda 4 szuflady": (r"^komoda \| komoda lina 4", r"^komoda"),
    "szafka rtv": (r"^szafka \| szafka rtv", None), "szafka pod telewizor": (r"^szafka \| szafka rtv", None),
    "szafka pod umywalkę": (r"^szafka \| szafka łazienkowa", None),
    "szafka lazienkowa": (r"^szafka \| szafka łazienkowa", None),
    "łóżko": (BEDS, None), "lozko": (BEDS, None), "łóżka": (BEDS, None),
    "łóżko 160x200": (rf"{BEDS}.*160x200", BEDS), "lozko 160x200": (rf"{BEDS}.*160x200", BEDS),
    "łóżko drewniane": (r"^łóżko \| łóżko drewniane", BEDS),
    "łóżko z pojemnikiem": (r"^łóżko \|.*pojemnik", BEDS),
    "białe łóżko": (rf"{BEDS}.*kolor=biały", BEDS),
    "łóżko kontynentalne": (r"^łóżko \| łóżko kontynentalne", BEDS),
    "łóżko piętrowe": (r"^łóżko piętrowe", BEDS), "lozko pietrowe dla dzieci": (r"^łóżko piętrowe", BEDS),
    "materac": (MATTRESSES, None), "materace": (MATTRESSES, None),
    "materac 90x200": (rf"{MATTRESSES}.*90x200", MATTRESSES),
    "materac kieszeniowy": (r"^materac \| materac kieszeniowy", MATTRESSES),
    "materac kieszenowy": (r"^materac \| materac kieszeniowy", MATTRESSES),
    "materac kieszeniowy 140x200": (r"^materac \| materac kieszeniowy.*140x200", MATTRESSES),
    "materac piankowy": (r"^materac \| materac piankowy", MATTRESSES),
    "materac do łóżeczka": (r"^materac \| materac dziecięcy", MATTRESSES),
    "sofa": (r"^sofa", r"^narożnik"), "kanapa": (r"^sofa", r"^narożnik"), "sofy": (r"^sofa", r"^narożnik"),
    "sofa rozkładana": (r"^sofa \| sofa rozkładana", r"^sofa"),
    "sofa z funkcją spania": (r"^(sofa|narożnik) \|.*funkcją spania", r"^sofa"),
    "narożnik": (r"^narożnik", r"^sofa"), "naroznik rozkladany": (r"^narożnik", r"^sofa"),
    "narożnk": (r"^narożnik", r"^sofa"),
    "fotel": (r"^fotel \|", r"^fotel biurowy"), "fotel uszak": (r"^fotel \| fotel uszak", None),
    "regał na książki": (r"^regał", r"^półka"), "regal": (r"^regał", r"^półka"),
    "półka ścienna": (r"^półka", r"^regał"), "polki": (r"^półka", r"^regał"),
    "biurko": (DESKS, None), "biurka": (DESKS, None),
    "biurko gamingowe": (r"^biurko \| biurko gamingowe", DESKS),
    "biurko dla dziecka": (r"^biurko \| biurko dziecięce", DESKS),
    "biurko z szufladami": (r"^biurko \| biurko z szuf", DESKS),
    "lampa": (LAMPS, None), "lampy wiszące": (r"^lampa wisząca", LAMPS),
    "lampa wisząca": (r"^lampa wisząca", LAMPS),
    "lampa stojąca": (r"^lampa podłogowa", LAMPS), "lampka led": (r"^lampka biurkowa", LAMPS),
    "dywan": (r"^dywan", None), "dywany": (r"^dywan", None), "dywan 160x230": (r"^dywan.*160x230", r"^dywan"),
    "dywan okrągły": (r"^dywan \| dywan okrągły", r"^dywan"), "lustro": (r"^lustro", None),
    "meble ogrodowe": (r"ogród > meble ogrodowe", None),
    "zestaw mebli ogrodowych": (r"^zestaw mebli ogrodowych", r"ogród > meble ogrodowe"),
    "lezak": (r"^leżak", None), "hustawka ogrodowa": (r"^huśtawka", None),
    "krzesełko do karmienia": (r"^krzesełko do karmienia", None),
    "sennik": (r"\| sennik \|", None), "drewnex stół": (r"^stół \|[^|]*\| drewnex \|", TABLES),
    "lumina": (r"\| lumina \|", None),
    "WM-MILO-SZ": (r"kod_producenta=wm-milo-sz,", r"kod_producenta=wm-milo-"),
    "5907621100209": (r"ean=5907621100209", r"^materac"),
    "stół do jadalni": (TABLES, None), "szafki nocne": (r"^stolik \| stolik nocny", r"^stolik"),
    "szara sofa": (r"^sofa.*kolor=szary", r"^sofa"), "czarne krzesło barowe": (r"^hoker", CHAIRS),
    "białe biurka": (rf"{DESKS}.*kolor=biały", DESKS), "lampki biurkowe": (r"^lampka biurkowa", LAMPS),
    "regały na książki": (r"^regał", r"^półka"), "lustra okrągłe": (r"^lustro", None),
    "materac do łóżka 160x200": (rf"{MATTRESSES}.*160x200", MATTRESSES),
    "fotele": (r"^fotel", None), "narożniki": (r"^narożnik", r"^sofa"),
    "dywany okrągłe": (r"^dywan \| dywan okrągły", r"^dywan"),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
