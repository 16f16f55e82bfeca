"""The İzmir home-textile shop's catalog and judged queries (`bench.textile_shop`).

Ege Çeyiz, a home-textile shop in İzmir, sells towels, bathrobes, bed linen, duvets, pillows,
blankets, bedspreads, carpets, curtains, table linen, kitchen and baby textiles, in Turkish and lira,
its own and a few Turkish makers' (Denizli Dokuma, Özgür Tekstil, Lina Home, Bebekevi). A product card
is named as Turkish shops name them, some in capitals ("İPEK YASTIK KILIFI", "KIRMIZI ÇİFT KİŞİLİK
PİKE"), filed under a kind named with its possessive suffix ("Banyo Havlusu", "Masa Örtüsü"), its
technical details as rows ("Malzeme": "%100 Pamuk", "Ölçü": "50x90 cm"), towels, bathrobes, bed linen
and a few others in colours and sizes as one card's variants. Shoppers type with or without Turkish
letters ("yastik", "cift kisilik nevresim takimi"), in the plural ("havlular", "nevresim takımları"),
the bare noun a compound hides ("havlu" for "Banyo Havlusu", "önlük" for "Mutfak Önlüğü"), in capitals,
with sizes, materials, colours, brands, codes as printed, typos ("nevrezim", "battanye") and the words
the shop's synonyms hold ("sabahlık", "yatak örtüsü"). Patterns (`bench.shop_judging`) are matched
against what the shop says each product is (`Textile.truth`), which begins with its kind; capitals
fold to a plain "i" ("KILIFI" -> "kilifi") where a lowercase "ı" stays, so patterns over titles allow both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.shop_judging import Judged, folded, written_pairs

BATH, HAND, BEACH, HAIR, TOWEL_SET = (f"Banyo/Havlular/{kind}" for kind in
    ("Banyo Havlusu", "El Havlusu", "Plaj Havlusu", "Saç Havlusu", "Havlu Seti"))  # fmt: skip
ROBE, KIDS_ROBE = "Banyo/Bornozlar/Bornoz", "Banyo/Bornozlar/Çocuk Bornozu"
MAT, BED = "Banyo/Paspaslar/Banyo Paspası", "Yatak Odası"
COVER, SHEET = f"{BED}/Nevresim Takımları/Nevresim Takımı", f"{BED}/Çarşaflar/Lastikli Çarşaf"
PAD, QUILT, PIQUE = f"{BED}/Alezler/Alez", f"{BED}/Yorganlar/Yorgan", f"{BED}/Pikeler/Pike"
PILLOW, CASE = f"{BED}/Yastıklar/Yastık", f"{BED}/Yastıklar/Yastık Kılıfı"
BLANKET, SPREAD = f"{BED}/Battaniyeler/Battaniye", f"{BED}/Yatak Örtüleri/Yatak Örtüsü"
KIDS_RUG, RUG, RUNNER_RUG = (f"Ev Dekorasyonu/Halılar/{kind}" for kind in
    ("Çocuk Odası Halısı", "Salon Halısı", "Yolluk"))  # fmt: skip
SHEER, DRAPE = "Ev Dekorasyonu/Perdeler/Tül Perde", "Ev Dekorasyonu/Perdeler/Fon Perde"
CUSHION, THROW = "Ev Dekorasyonu/Kırlentler/Kırlent Kılıfı", "Ev Dekorasyonu/Koltuk Örtüleri/Koltuk Şalı"
CLOTH, RUNNER, PLACEMAT = (f"Mutfak/Masa Örtüleri/{kind}" for kind in
    ("Masa Örtüsü", "Runner", "Amerikan Servis"))  # fmt: skip
APRON, MITT, DISHCLOTH = (f"Mutfak/Mutfak Tekstili/{kind}" for kind in
    ("Mutfak Önlüğü", "Fırın Eldiveni", "Kurulama Bezi"))  # fmt: skip
BABY_SET, BABY_BLANKET, BABY_TOWEL, BIB = (f"Bebek/Bebek Tekstili/{kind}" for kind in
    ("Bebek Nevresim Takımı", "Bebek Battaniyesi", "Bebek Havlusu", "Ağız Bezi"))  # fmt: skip
TOWEL_COLOURS, ROBE_SIZES = ["Beyaz", "Krem", "Gri", "Lacivert"], ["S", "M", "L", "XL"]

Options = list[tuple[str, str]]  # a variant's options as the feed names them: ("Renk", "Beyaz")


@dataclass(frozen=True)
class Textile:
    """A product card as the shop keeps it: its code (the middle of its stock codes), name as written,
    brand, category ("Level/Level/Kind"), price in lira with VAT, material, size ("" where its variants
    give it), HTML description, percent off in a sale, lead text, variants (each its options and its
    own price), the variants sold out ("Gri / XL"; "" the one of a card without variants), whether the
    feed writes its prices before VAT, how it is washed, and further details ("Gramaj=500 gr/m²")."""

    code: str
    name: str
    brand: str
    category: str
    price: float
    material: str
    size: str
    text: str
    off: int = 0
    lead: str = ""
    variants: list[tuple[Options, float]] = field(default_factory=list)
    sold_out: tuple[str, ...] = ()
    net: bool = False
    wash: str = "40 °C'de yıkanabilir"
    more: str = ""

    @property
    def kind(self) -> str:
        return self.category.split("/")[-1]

    @property
    def details(self) -> list[tuple[str, str]]:
        """The card's technical details as the feed lists them: material, size, the rest, washing, origin."""
        rows = [("Malzeme", self.material), *([("Ölçü", self.size)] if self.size else [])]
        return [*rows, *written_pairs(self.more), ("Yıkama", self.wash), ("Menşei", "Türkiye")]

    def truth(self, options: Options, codes: str) -> str:
        """What the shop says the card's variant with `options` is (`codes`: its stock code and
        barcode), for judging: kind | name | brand | category | details | description."""
        written = ", ".join(f"{n}={v}" for n, v in [*options, *self.details])
        path, text = self.category.replace("/", " > "), f"{self.lead} {self.text}"
        return " | ".join((self.kind, self.name, self.brand, path, f"{written}, {codes}", text))


def options(colours: list[str], sizes: dict[str, float]) -> list[tuple[Options, float]]:
    """Each colour in each size, priced by size (no colours, or the one size "": that option left out)."""
    return [([*([("Renk", c)] if c else []), *([("Beden", s)] if s else [])], price)
            for c in colours or [""] for s, price in sizes.items()]  # fmt: skip


CATALOG: list[Textile] = [
    Textile("HVL", "Pamuklu Banyo Havlusu", "Ege Çeyiz", BATH, 249.90, "%100 Pamuk", "",
            "<p>Ege Çeyiz'in en çok satan havlusu, yıkandıkça yumuşar.</p>", more="Gramaj=500 gr/m²",
            lead="Yumuşak, emici, tüy bırakmaz.", sold_out=("Lacivert / 70x140",),
            variants=options(TOWEL_COLOURS, {"50x90": 249.90, "70x140": 449.90})),
    Textile("ELH", "Jakarlı El Havlusu 30x50", "Denizli Dokuma", HAND, 89.90, "%100 Pamuk", "30x50 cm",
            "<p>Denizli'nin jakar tezgâhlarında dokunan misafir havluları.</p>",
            variants=options(TOWEL_COLOURS, {"": 89.90})),
    Textile("PLJ", "Peştemal Plaj Havlusu 90x170", "Lina Home", BEACH, 329.90, "%100 Pamuk", "90x170 cm",
            "<p>El tezgâhında dokunmuş, hafif ve çabuk kuruyan peştemal.</p>"),
    Textile("SAC", "Mikrofiber Saç Havlusu", "Ege Çeyiz", HAIR, 149.90, "Mikrofiber", "25x65 cm",
            "<p>Saçı yıpratmadan hızla kurutur.</p>"),
    Textile("OTL", "Otel Tipi Havlu Seti 4'lü", "Denizli Dokuma", TOWEL_SET, 899.40, "%100 Pamuk", "",
            "<p>Otellerin tercih ettiği 600 gr/m² beyaz havlular.</p>", net=True,
            more="İçerik=2 adet 50x90 cm, 2 adet 70x140 cm"),
    Textile("BRN", "BAMBU BORNOZ SETİ", "Lina Home", ROBE, 1149.90, "%60 Bambu, %40 Pamuk", "",
            "<p>Bambu lifinin ipeksi dokusu; Lina Home'un bornoz, havlu ve terlik seti.</p>",
            more="Set İçeriği=Bornoz, havlu, terlik",
            variants=options([], dict.fromkeys(ROBE_SIZES, 1149.90))),
    Textile("KBR", "Kapüşonlu Kadın Bornoz", "Ege Çeyiz", ROBE, 899.90, "%100 Pamuk havlu kumaş", "",
            "<p>Kapüşonlu, cepli, kuşaklı.</p>", sold_out=("Gri / XL",),
            variants=options(["Beyaz", "Gri"], dict.fromkeys(ROBE_SIZES, 899.90))),
    Textile("CBR", "Kapüşonlu Çocuk Bornozu", "Bebekevi", KIDS_ROBE, 449.90, "%100 Pamuk", "",
            "<p>Kulaklı kapüşonuyla banyo sonrası sıcacık.</p>", more="Yaş=4-6 yaş"),
    Textile("PSP", "Banyo Paspas Takımı 2'li", "Ege Çeyiz", MAT, 279.90, "%100 Pamuk", "50x60 ve 60x100 cm",
            "<p>Kaymaz tabanlı klozet ve banyo paspası.</p>"),
    Textile("RNF", "Ranforce Nevresim Takımı", "Özgür Tekstil", COVER, 799.90, "%100 Pamuk ranforce", "",
            "<p>Sık dokunmuş ranforce, her yıkamada rengini korur.</p>", off=20,
            more="İçerik=Nevresim, çarşaf, 2 yastık kılıfı",
            variants=options(["Gri", "Lacivert"], {"Tek Kişilik": 799.90, "Çift Kişilik": 1099.90})),
    Textile("STN", "Pamuk Saten Nevresim Takımı", "Ege Çeyiz", COVER, 1199.90, "%100 Pamuk saten", "",
            "<p>Saten dokunun parlaklığı, pamuğun serinliği.</p>", lead="Otel konforu evinizde.",
            variants=options(["Beyaz", "Krem"], {"Tek Kişilik": 1199.90, "Çift Kişilik": 1599.90})),
    Textile("BNT", "Çift Kişilik Bambu Nevresim Takımı 200x220", "Denizli Dokuma", COVER, 1649.90,
            "%50 Bambu, %50 Pamuk", "Nevresim 200x220 cm, çarşaf 240x260 cm",
            "<p>Denizli'nin bambu ipliğiyle dokunan serin nevresim takımları.</p>"),
    Textile("LCS", "Penye Lastikli Çarşaf", "Lina Home", SHEET, 349.90, "%100 Pamuk penye", "",
            "<p>Kenarları lastikli, yatağa tam oturur.</p>",
            variants=options(["Beyaz", "Gri"], {"90x190": 349.90, "160x200": 449.90, "180x200": 499.90})),
    Textile("ALZ", "Sıvı Geçirmez Alez 160x200", "Ege Çeyiz", PAD, 349.90, "Pamuk havlu, TPU membran",
            "160x200 cm", "<p>Yatağınızı sıvılardan korur.</p>"),
    Textile("KPK", "KIRMIZI ÇİFT KİŞİLİK PİKE", "Ege Çeyiz", PIQUE, 899.90, "%100 Pamuk", "200x220 cm",
            "<p>Ege Çeyiz'in klasik pikesi, yaz geceleri için.</p>", off=20, more="Renk=Kırmızı"),
    Textile("MPK", "Müslin Pike Çift Kişilik", "Lina Home", PIQUE, 1249.90, "4 kat müslin", "220x240 cm",
            "<p>Dört kat müslin; her yıkamada daha yumuşak.</p>"),
    Textile("WPK", "Waffle Pike Tek Kişilik", "Denizli Dokuma", PIQUE, 549.90, "%100 Pamuk", "160x220 cm",
            "<p>Petek dokulu, hafif.</p>"),
    Textile("KYO", "Kapitone Yatak Örtüsü Çift Kişilik", "Özgür Tekstil", SPREAD, 1399.90, "Mikrofiber",
            "240x260 cm", "<p>İki yastık kılıfıyla birlikte gelir.</p>"),
    Textile("MYR", "Mikrofiber Yorgan", "Özgür Tekstil", QUILT, 899.90, "Mikrofiber, silikon elyaf dolgu", "",
            "<p>Hafif ve sıcak; makinede yıkanır.</p>",
            variants=options([], {"Tek Kişilik 155x215": 899.90, "Çift Kişilik 195x215": 1199.90})),
    Textile("YYR", "Yün Yorgan Çift Kişilik 195x215", "Denizli Dokuma", QUILT, 2149.00,
            "%100 Yün dolgu, pamuklu kumaş", "195x215 cm", "<p>Kışın sıcak, yazın serin.</p>",
            wash="Kuru temizleme"),
    Textile("EYS", "Elyaf Yastık 50x70", "Ege Çeyiz", PILLOW, 199.90, "Silikonlu elyaf", "50x70 cm",
            "<p>Boyun ağrısı yapmayan orta sertlikte yastık.</p>"),
    Textile("VYS", "Visco Ortopedik Yastık", "Lina Home", PILLOW, 749.90, "Visco sünger", "60x40x12 cm",
            "<p>Boyun ve omuzlar için ortopedik destek.</p>", wash="Kılıfı 30 °C'de yıkanabilir"),
    Textile("KTY", "Kaz Tüyü Yastık 50x70", "Özgür Tekstil", PILLOW, 1299.90, "%90 kaz tüyü, %10 kuş tüyü",
            "50x70 cm", "<p>Otel yastıklarının yumuşaklığı.</p>", wash="Kuru temizleme"),
    Textile("BYS", "BOYUN YASTIĞI", "Lina Home", PILLOW, 299.90, "Visco sünger", "30x25 cm",
            "<p>Yolculukta boynunuzu destekler.</p>"),
    Textile("IYK", "İPEK YASTIK KILIFI 50x70", "Lina Home", CASE, 1099.90, "%100 Dut İpeği", "50x70 cm",
            "<p>Saç ve cilt dostu, 22 momme dut ipeği.</p>", wash="30 °C'de elde yıkama"),
    Textile("SYK", "Saten Yastık Kılıfı 2'li", "Ege Çeyiz", CASE, 229.90, "Pamuk saten", "50x70 cm",
            "<p>Fermuarlı, iki adet.</p>"),
    Textile("WBT", "Welsoft Battaniye Çift Kişilik", "Özgür Tekstil", BLANKET, 699.90, "Welsoft mikrofiber",
            "200x220 cm", "<p>Tüylenmeyen yumuşak battaniye.</p>", off=15),
    Textile("YBT", "Yün Battaniye Tek Kişilik", "Denizli Dokuma", BLANKET, 1190.00, "%100 Yün", "150x200 cm",
            "<p>Denizli Dokuma'nın saf yün battaniyesi.</p>", sold_out=("",), wash="Kuru temizleme"),
    Textile("COH", "Çocuk Odası Halısı Uzay Desenli", "Özgür Tekstil", KIDS_RUG, 899.90,
            "Polyester, kaymaz taban", "", "<p>Çocuk odaları için yıkanabilir halı.</p>",
            variants=options([], {"80x150": 899.90, "120x180": 1499.90}),
            wash="Makinede 30 °C'de yıkanabilir"),
    Textile("SHL", "Salon Halısı Bej 160x230", "Özgür Tekstil", RUG, 2499.00, "Polipropilen", "160x230 cm",
            "<p>Kısa tüylü, kolay temizlenir.</p>", wash="Kuru temizleme"),
    Textile("YLK", "Kaymaz Tabanlı Yolluk Halı 80x200", "Özgür Tekstil", RUNNER_RUG, 599.90,
            "Polyester, kaymaz taban", "80x200 cm", "<p>Koridor ve mutfak için.</p>"),
    Textile("TUL", "Tül Perde 300x260", "Lina Home", SHEER, 549.90, "%100 Polyester", "300x260 cm",
            "<p>Işığı yumuşatan keten görünümlü tül.</p>", sold_out=("",)),
    Textile("FPR", "Blackout Fon Perde", "Lina Home", DRAPE, 649.90, "%100 Polyester", "140x260 cm",
            "<p>Işık geçirmez, ısı yalıtımlı.</p>",
            variants=options(["Bej", "Antrasit", "Lacivert"], {"": 649.90})),
    Textile("KRL", "KADİFE KIRLENT KILIFI 45x45", "Lina Home", CUSHION, 129.90, "Kadife", "45x45 cm",
            "<p>Gizli fermuarlı.</p>"),
    Textile("KSL", "Örgü Koltuk Şalı", "Denizli Dokuma", THROW, 599.90, "%100 Pamuk", "170x210 cm",
            "<p>Koltuklarınıza renk katar.</p>"),
    Textile("KMO", "Keten Masa Örtüsü", "Denizli Dokuma", CLOTH, 549.90, "%100 Keten", "",
            "<p>Denizli'de dokunan doğal keten.</p>",
            variants=options([], {"140x140": 549.90, "150x200": 749.90, "150x250": 849.90})),
    Textile("LMO", "Leke Tutmaz Masa Örtüsü 150x220", "Özgür Tekstil", CLOTH, 449.90, "%100 Polyester",
            "150x220 cm", "<p>Sıvıyı emmez, silinerek temizlenir.</p>"),
    Textile("RNR", "Dantelli Runner 40x150", "Ege Çeyiz", RUNNER, 189.90, "Pamuk, dantel", "40x150 cm",
            "<p>Sofranıza zarif bir dokunuş.</p>"),
    Textile("AMS", "Amerikan Servis 4'lü", "Ege Çeyiz", PLACEMAT, 219.90, "Polyester", "33x48 cm",
            "<p>Keten görünümlü, dört adet.</p>"),
    Textile("ONL", "Çizgili Mutfak Önlüğü", "Ege Çeyiz", APRON, 179.90, "%100 Pamuk", "70x85 cm",
            "<p>Cepli, ayarlanabilir boyun askılı.</p>"),
    Textile("FEL", "Fırın Eldiveni 2'li", "Ege Çeyiz", MITT, 149.90, "Pamuk, ısı yalıtımlı dolgu", "",
            "<p>Sıcak tencere ve tepsiler için.</p>"),
    Textile("KRB", "Pamuklu Kurulama Bezi 3'lü", "Denizli Dokuma", DISHCLOTH, 119.90, "%100 Pamuk",
            "50x70 cm", "<p>Bardakta iz bırakmaz.</p>", off=25),
    Textile("BNV", "Bebek Nevresim Takımı Ayıcık Desenli", "Bebekevi", BABY_SET, 749.90, "%100 Organik pamuk",
            "100x150 cm", "<p>Bebekevi'nin organik pamuk nevresimi.</p>"),
    Textile("BBT", "Müslin Bebek Battaniyesi", "Bebekevi", BABY_BLANKET, 399.90, "4 kat müslin", "120x120 cm",
            "<p>Nefes alan dört kat müslin.</p>"),
    Textile("BHV", "Kapüşonlu Bebek Havlusu", "Bebekevi", BABY_TOWEL, 259.90, "%100 Pamuk", "75x75 cm",
            "<p>Bebeğinizi banyodan sonra sarar.</p>"),
    Textile("AGZ", "Müslin Ağız Bezi 3'lü", "Bebekevi", BIB, 149.90, "%100 Pamuk müslin", "30x30 cm",
            "<p>Yumuşak ve emici.</p>"),
]  # fmt: skip

TOWEL, ROBES, COVERS = r"^[^|]*havlu", r"^[^|]*bornoz", r"^[^|]*nevresim takımı"
RED = r"k[ıi]rm[ıi]z[ıi]"  # "KIRMIZI" folds to "kirmizi", "Kırmızı" to "kırmızı"
_WRITTEN = {
    "havlu": (TOWEL, None), "havlular": (TOWEL, None), "havlu 50x90": (rf"{TOWEL}.*50x90", TOWEL),
    "banyo havlusu": (r"^banyo havlusu", TOWEL), "banyo havluları": (r"^banyo havlusu", TOWEL),
    "banyo havlusu 70x140": (r"^banyo havlusu.*beden=70x140", r"^banyo havlusu"),
    "el havlusu": (r"^el havlusu", TOWEL), "yüz havlusu": (r"^el havlusu", TOWEL),
    "gri havlu": (rf"{TOWEL}.*renk=gri", TOWEL),
    "lacivert banyo havlusu": (r"^banyo havlusu.*renk=lacivert", r"^banyo havlusu"),
    "ege çeyiz havlu": (rf"{TOWEL}[^|]*\|[^|]*\| ege çeyiz \|", TOWEL),
    "plaj havlusu": (r"^plaj havlusu", TOWEL), "pestemal": (r"peştemal", TOWEL),
    "havlu seti": (r"^havlu seti", TOWEL), "bebek havlusu": (r"^bebek havlusu", TOWEL),
    "EGC-HVL-5090-BYZ": (r"stokkodu=egc-hvl-5090-byz,", r"stokkodu=egc-hvl-"),
    "bornoz": (ROBES, None), "bornozlar": (ROBES, None), "bornos": (ROBES, None), "sabahlık": (ROBES, None),
    "bambu bornoz": (r"^bornoz.*bambu", ROBES), "bornoz xl": (rf"{ROBES}.*beden=xl,", ROBES),
    "kadın bornoz": (r"^bornoz \| [^|]*kadın", ROBES), "çocuk bornozu": (r"^çocuk bornozu", ROBES),
    "paspas": (r"^banyo paspası", None),
    "nevresim takımı": (COVERS, None), "nevresim takımları": (COVERS, None), "nevresim": (COVERS, None),
    "nevrezim": (COVERS, None), "nevresim seti": (COVERS, None), "nevresim takimi": (COVERS, None),
    "çift kişilik nevresim takımı": (rf"{COVERS}.*çift kişilik", COVERS),
    "cift kisilik nevresim takimi": (rf"{COVERS}.*çift kişilik", COVERS),
    "tek kişilik nevresim": (rf"{COVERS}.*tek kişilik", COVERS),
    "nevresim 200x220": (rf"{COVERS}.*200x220", COVERS),
    "lacivert nevresim": (rf"{COVERS}.*renk=lacivert", COVERS),
    "ranforce nevresim takımı": (rf"{COVERS}.*ranforce", COVERS),
    "saten nevresim": (rf"{COVERS}.*saten", COVERS),
    "bebek nevresim takımı": (r"^bebek nevresim takımı", COVERS),
    "çarşaf": (r"^lastikli çarşaf", None), "carsaf": (r"^lastikli çarşaf", None),
    "lastikli çarşaf 160x200": (r"^lastikli çarşaf.*beden=160x200", r"^lastikli çarşaf"),
    "pike": (r"^pike", r"^yatak örtüsü"), "pikeler": (r"^pike", r"^yatak örtüsü"),
    "kırmızı pike": (rf"^pike.*{RED}", r"^pike"), "kirmizi pike": (rf"^pike.*{RED}", r"^pike"),
    "çift kişilik pike": (r"^pike.*çift kişilik", r"^pike"), "müslin pike": (r"^pike.*müslin", r"^pike"),
    "lina home pike": (r"^pike \|[^|]*\| lina home \|", r"^pike"),
    "yatak örtüsü": (r"^(pike|yatak örtüsü)", None),
    "yorgan": (r"^yorgan", None), "yün yorgan": (r"^yorgan.*yün", r"^yorgan"),
    "çift kişilik yorgan": (r"^yorgan.*çift kişilik", r"^yorgan"),
    "yastık": (r"^yastık \|", None), "yastik": (r"^yastık \|", None), "yastıklar": (r"^yastık \|", None),
    "kaz tüyü yastık": (r"^yastık \|.*kaz tüyü", r"^yastık \|"),
    "boyun yastığı": (r"^yastık \| boyun yast", r"^yastık \|"),
    "yastık kılıfı": (r"^yastık kılıfı", None), "yastik kilifi": (r"^yastık kılıfı", None),
    "ipek yastık kılıfı": (r"^yastık kılıfı.*ip(ek|eğ)", r"^yastık kılıfı"),
    "İPEK YASTIK": (r"^yastık kılıfı.*ip(ek|eğ)", r"^yastık"),
    "battaniye": (r"^[^|]*battaniye", None), "battanye": (r"^[^|]*battaniye", None),
    "welsoft battaniye": (r"^battaniye.*welsoft", r"^[^|]*battaniye"),
    "bebek battaniyesi": (r"^bebek battaniyesi", r"^[^|]*battaniye"),
    "halı": (r"^[^|]*halı", r"> halılar"), "hali": (r"^[^|]*halı", r"> halılar"),
    "çocuk odası halısı": (r"^çocuk odası halısı", r"^[^|]*halı"),
    "cocuk odasi halisi": (r"^çocuk odası halısı", r"^[^|]*halı"),
    "halı 160x230": (r"^[^|]*halı.*160x230", r"^[^|]*halı"), "yolluk": (r"^yolluk", None),
    "perde": (r"^[^|]*perde", None), "tül perde": (r"^tül perde", r"^[^|]*perde"),
    "antrasit fon perde": (r"^fon perde.*renk=antrasit", r"^fon perde"),
    "kırlent kılıfı": (r"^kırlent kılıfı", None), "örtü": (r"^[^|]*örtü", None),
    "masa örtüsü": (r"^masa örtüsü", r"> masa örtüleri"),
    "keten masa örtüsü": (r"^masa örtüsü.*keten", r"^masa örtüsü"),
    "masa örtüsü 150x200": (r"^masa örtüsü.*beden=150x200", r"^masa örtüsü"),
    "mutfak önlüğü": (r"^mutfak önlüğü", None), "önlük": (r"^mutfak önlüğü", None),
    "firin eldiveni": (r"^fırın eldiveni", None),
    "denizli dokuma": (r"\| denizli dokuma \|", None), "ozgur tekstil": (r"\| özgür tekstil \|", None),
    "bebekevi": (r"\| bebekevi \|", None),
    "8682983000578": (r"barkod=8682983000578", r"^yastık kılıfı"),  # the silk pillowcase (variant 57)
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
