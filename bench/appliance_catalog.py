"""The Moscow appliance shop's catalog and judged queries (`bench.appliance_shop`).

An appliance and electronics shop in Moscow sells fridges, washing machines, dishwashers, ovens and
hobs, microwaves, kettles, coffee machines, vacuum cleaners, irons, hair dryers, televisions, phones,
headphones and laptops, in Russian and roubles. A product is named as Russian shops name them: its kind,
its maker and model ("Холодильник Bosch KGN39VI25R"), its properties as YML `param`s ("Цвет": "белый",
"Объём": "366 л", "Диагональ": "55 дюйм"), phones in memory sizes and colours as one family. Shoppers
type a kind in any case and number ("холодильники", "стиральные машины"), a maker in Latin letters or
Cyrillic ("bosch", "бош"), a model as printed or run together ("wh-1000xm5", "wh1000xm5"), "ё" as "е",
typos ("халадильник"), slang the shop's synonyms hold ("стиралка", "айфон"), and words typed with the
keyboard in the Latin layout ("[jkjlbkmybr" for "холодильник"). Patterns (`bench.shop_judging`) are
matched against what the shop says each product is (`Appliance.truth`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.shop_judging import Judged, folded

FRIDGES, WASHERS, DISHWASHERS = (
    "Бытовая техника/Холодильники",
    "Бытовая техника/Стиральные машины",
    ("Бытовая техника/Посудомоечные машины"),
)
OVENS, MICROWAVES = "Бытовая техника/Духовые шкафы", "Техника для кухни/Микроволновые печи"
KETTLES, COFFEE = "Техника для кухни/Чайники", "Техника для кухни/Кофемашины"
VACUUMS, IRONS, DRYERS = "Техника для дома/Пылесосы", "Техника для дома/Утюги", "Красота и здоровье/Фены"
TVS, PHONES, AUDIO, LAPTOPS = (
    "Электроника/Телевизоры",
    "Электроника/Смартфоны",
    "Электроника/Наушники",
    ("Электроника/Ноутбуки"),
)

Params = list[tuple[str, str, str]]  # (name, value, unit)


@dataclass(frozen=True)
class Appliance:
    """A product as the shop keeps it: its kind (the YML `typePrefix`), maker, model, category
    ("Level/Level"), params, description, price in roubles, the price struck through (0: none), and its
    variants (each its params and its own price; phones by memory and colour)."""

    kind: str
    maker: str
    model: str
    category: str
    params: Params
    text: str
    price: int
    old: int = 0
    variants: list[tuple[Params, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.kind} {self.maker} {self.model}"

    def truth(self, params: Params | None = None) -> str:
        """What the shop says the product (or its variant with `params`) is, for judging."""
        written = ", ".join(f"{n}={v}{' ' + u if u else ''}" for n, v, u in [*self.params, *(params or [])])
        return " | ".join((self.name, self.maker, self.category.replace("/", " > "), written, self.text))


def memory_colours(sizes: dict[str, int], colours: list[str]) -> list[tuple[Params, int]]:
    return [([("Память", s, "ГБ"), ("Цвет", c, "")], price) for s, price in sizes.items() for c in colours]


CATALOG: list[Appliance] = [
    Appliance("Холодильник", "Bosch", "KGN39VI25R", FRIDGES, [("Цвет", "нержавеющая сталь", ""),
              ("Общий объём", "366", "л"), ("No Frost", "да", ""), ("Класс энергопотребления", "A++", "")],
              "<p>Двухкамерный холодильник с системой No Frost.</p>", 64990, 72990),
    Appliance("Холодильник", "Samsung", "RB37A5000WW", FRIDGES, [("Цвет", "белый", ""),
              ("Общий объём", "367", "л"), ("No Frost", "да", "")], "<p>Технология All-Around Cooling.</p>",
              52990),
    Appliance("Холодильник", "Атлант", "ХМ 4421-009 ND", FRIDGES, [("Цвет", "белый", ""),
              ("Общий объём", "312", "л"), ("No Frost", "да", "")], "<p>Сделано в Беларуси.</p>", 38990),
    Appliance("Холодильник", "Liebherr", "CNsfd 5203", FRIDGES, [("Цвет", "серебристый", ""),
              ("Общий объём", "361", "л"), ("No Frost", "да", "")], "<p>Двухкамерный, EasyFresh.</p>", 89990),
    Appliance("Холодильник", "Indesit", "TIA 14", FRIDGES, [("Цвет", "белый", ""),
              ("Общий объём", "229", "л"), ("No Frost", "нет", "")], "<p>Однокамерный с морозильником.</p>",
              19990),
    Appliance("Стиральная машина", "LG", "F2J3NS0W", WASHERS, [("Загрузка", "6", "кг"),
              ("Отжим", "1200", "об/мин"), ("Тип загрузки", "фронтальная", "")],
              "<p>Узкая, прямой привод.</p>", 32990),
    Appliance("Стиральная машина", "Bosch", "WAN24260BY", WASHERS, [("Загрузка", "8", "кг"),
              ("Отжим", "1200", "об/мин"), ("Тип загрузки", "фронтальная", "")],
              "<p>Серия 4, EcoSilence Drive.</p>", 45990),
    Appliance("Стиральная машина", "Indesit", "BTW A5851", WASHERS, [("Загрузка", "5", "кг"),
              ("Тип загрузки", "вертикальная", "")], "<p>С вертикальной загрузкой.</p>", 27990),
    Appliance("Посудомоечная машина", "Bosch", "SMV25EX00E", DISHWASHERS, [("Ширина", "60", "см"),
              ("Установка", "встраиваемая", "")], "<p>Полностью встраиваемая, 13 комплектов.</p>", 44990),
    Appliance("Посудомоечная машина", "Weissgauff", "BDW 4543 D", DISHWASHERS, [("Ширина", "45", "см"),
              ("Установка", "встраиваемая", "")], "<p>Узкая, 10 комплектов.</p>", 27990),
    Appliance("Духовой шкаф", "Gorenje", "BO6735E02X", OVENS, [("Объём", "71", "л"),
              ("Установка", "встраиваемый", "")], "<p>Электрический, с грилем.</p>", 34990),
    Appliance("Микроволновая печь", "Samsung", "ME88SUB", MICROWAVES, [("Объём", "23", "л"),
              ("Мощность", "800", "Вт"), ("Цвет", "чёрный", "")], "<p>Соло, сенсорное управление.</p>", 9990),
    Appliance("Микроволновая печь", "LG", "MS2042DB", MICROWAVES, [("Объём", "20", "л"),
              ("Мощность", "700", "Вт"), ("Цвет", "чёрный", "")], "<p>Компактная.</p>", 7490),
    Appliance("Чайник электрический", "Xiaomi", "Mi Electric Kettle 2", KETTLES, [("Объём", "1.7", "л"),
              ("Мощность", "1800", "Вт"), ("Цвет", "белый", "")], "<p>Поддержание температуры.</p>", 3290),
    Appliance("Чайник электрический", "Bosch", "TWK3A011", KETTLES, [("Объём", "1.7", "л"),
              ("Мощность", "2400", "Вт"), ("Цвет", "чёрный", "")], "<p>Пластиковый корпус.</p>", 2490),
    Appliance("Кофемашина", "DeLonghi", "Magnifica S ECAM22.110.B", COFFEE, [("Тип", "автоматическая", ""),
              ("Капучинатор", "ручной", "")], "<p>Зерновая кофемашина с кофемолкой.</p>", 39990, 44990),
    Appliance("Кофемашина", "Philips", "EP2231/40", COFFEE, [("Тип", "автоматическая", ""),
              ("Капучинатор", "автоматический", "")], "<p>LatteGo, сенсорный дисплей.</p>", 49990),
    Appliance("Кофеварка капельная", "Redmond", "RCM-1510", COFFEE, [("Тип", "капельная", "")],
              "<p>Для молотого кофе.</p>", 2990),
    Appliance("Пылесос", "Dyson", "V15 Detect Absolute", VACUUMS, [("Тип", "вертикальный", ""),
              ("Беспроводной", "да", "")], "<p>Лазерная подсветка пыли.</p>", 69990),
    Appliance("Пылесос", "Xiaomi", "Robot Vacuum S10", VACUUMS, [("Тип", "робот", ""),
              ("Беспроводной", "да", "")], "<p>Робот-пылесос с влажной уборкой.</p>", 19990),
    Appliance("Пылесос", "Samsung", "VC18M21A0SB", VACUUMS, [("Тип", "с контейнером", ""),
              ("Мощность", "1800", "Вт")], "<p>Циклонный фильтр.</p>", 8990),
    Appliance("Утюг", "Philips", "DST7030/20", IRONS, [("Мощность", "2800", "Вт")],
              "<p>Паровой удар 250 г/мин.</p>", 6990),
    Appliance("Утюг", "Tefal", "FV6872E0", IRONS, [("Мощность", "2800", "Вт")],
              "<p>Подошва Durilium AirGlide.</p>", 7990),
    Appliance("Фен", "Dyson", "Supersonic HD07", DRYERS, [("Мощность", "1600", "Вт")],
              "<p>Интеллектуальный контроль температуры.</p>", 44990),
    Appliance("Фен", "Philips", "BHD350/10", DRYERS, [("Мощность", "2100", "Вт")], "<p>Ионизация.</p>", 3490),
    Appliance("Телевизор", "Samsung", "UE55AU7100U", TVS, [("Диагональ", "55", "дюйм"),
              ("Разрешение", "4K UHD", ""), ("Smart TV", "да", "")], "<p>Crystal UHD.</p>", 49990),
    Appliance("Телевизор", "LG", "43UR78006LK", TVS, [("Диагональ", "43", "дюйм"),
              ("Разрешение", "4K UHD", ""), ("Smart TV", "да", "")], "<p>webOS.</p>", 34990),
    Appliance("Телевизор", "Xiaomi", "Mi TV A2 32", TVS, [("Диагональ", "32", "дюйм"),
              ("Разрешение", "HD", ""), ("Smart TV", "да", "")], "<p>Android TV.</p>", 17990),
    Appliance("Телевизор", "Sony", "KD-65X81K", TVS, [("Диагональ", "65", "дюйм"),
              ("Разрешение", "4K UHD", ""), ("Smart TV", "да", "")], "<p>Google TV.</p>", 99990),
    Appliance("Смартфон", "Apple", "iPhone 15", PHONES, [("Диагональ", "6.1", "дюйм")],
              "<p>Динамический остров, USB-C.</p>", 79990,
              variants=memory_colours({"128": 79990, "256": 89990}, ["чёрный", "голубой"])),
    Appliance("Смартфон", "Samsung", "Galaxy S24", PHONES, [("Диагональ", "6.2", "дюйм")],
              "<p>Galaxy AI.</p>", 74990,
              variants=memory_colours({"256": 74990, "512": 89990}, ["чёрный", "фиолетовый"])),
    Appliance("Смартфон", "Xiaomi", "Redmi Note 13", PHONES, [("Диагональ", "6.67", "дюйм")],
              "<p>AMOLED 120 Гц.</p>", 19990, variants=memory_colours({"128": 19990}, ["чёрный", "синий"])),
    Appliance("Наушники", "Sony", "WH-1000XM5", AUDIO, [("Тип", "полноразмерные", ""),
              ("Беспроводные", "да", ""), ("Шумоподавление", "да", "")], "<p>Активное шумоподавление.</p>",
              34990, 39990),
    Appliance("Наушники", "Apple", "AirPods Pro 2", AUDIO, [("Тип", "вкладыши", ""),
              ("Беспроводные", "да", ""), ("Шумоподавление", "да", "")], "<p>Чехол MagSafe USB-C.</p>",
              24990),
    Appliance("Наушники", "JBL", "Tune 510BT", AUDIO, [("Тип", "накладные", ""), ("Беспроводные", "да", "")],
              "<p>До 40 часов работы.</p>", 3990),
    Appliance("Ноутбук", "Apple", "MacBook Air 13 M2", LAPTOPS, [("Диагональ", "13.6", "дюйм"),
              ("Оперативная память", "8", "ГБ")], "<p>Чип Apple M2.</p>", 99990),
    Appliance("Ноутбук", "Lenovo", "IdeaPad Slim 3 15IRU8", LAPTOPS, [("Диагональ", "15.6", "дюйм"),
              ("Оперативная память", "16", "ГБ")], "<p>Intel Core i5.</p>", 54990),
]  # fmt: skip

_WRITTEN = {
    "холодильник": (r"^холодильник", None),
    "холодильники": (r"^холодильник", None),
    "халадильник": (r"^холодильник", None),
    "[jkjlbkmybr": (r"^холодильник", None),
    "холодильник bosch": (r"^холодильник bosch", r"^холодильник"),
    "холодильник бош": (r"^холодильник bosch", r"^холодильник"),
    "холодильник no frost": (r"^холодильник.*no frost=да", r"^холодильник"),
    "холодильник атлант": (r"атлант", r"^холодильник"),
    "белый холодильник": (r"^холодильник.*цвет=белый", r"^холодильник"),
    "kgn39vi25r": (r"kgn39vi25r", r"^холодильник"),
    "стиральная машина": (r"^стиральная машина", None),
    "стиральные машины": (r"^стиральная машина", None),
    "стиралка": (r"^стиральная машина", None),
    "cnbhfkmyfz vfibyf": (r"^стиральная машина", None),
    "стиральная машина 8 кг": (r"^стиральная машина.*загрузка=8 кг", r"^стиральная машина"),
    "стиральная машина с вертикальной загрузкой": (r"вертикальная", r"^стиральная машина"),
    "посудомоечная машина": (r"^посудомоечная машина", None),
    "посудомойка 45 см": (r"^посудомоечная машина.*ширина=45 см", r"^посудомоечная машина"),
    "встраиваемая посудомоечная машина": (r"^посудомоечная машина.*встраиваемая", r"^посудомоечная"),
    "духовой шкаф": (r"^духовой шкаф", None),
    "микроволновка": (r"^микроволновая печь", None),
    "микроволновая печь": (r"^микроволновая печь", None),
    "чайник": (r"^чайник", None),
    "чайник xiaomi": (r"^чайник.*xiaomi", r"^чайник"),
    "xfqybr": (r"^чайник", None),
    "кофемашина": (r"^кофемашина", r"кофе"),
    "кофемашинна": (r"^кофемашина", r"кофе"),
    "кофемашина delonghi": (r"^кофемашина delonghi", r"^кофемашина"),
    "делонги": (r"delonghi", r"^кофемашина"),
    "кофеварка": (r"^кофеварка", r"кофе"),
    "пылесос": (r"^пылесос", None),
    "пылисос": (r"^пылесос", None),
    "пылесосы dyson": (r"^пылесос dyson", r"^пылесос"),
    "робот пылесос": (r"робот", r"^пылесос"),
    "беспроводной пылесос": (r"^пылесос.*беспроводной=да", r"^пылесос"),
    "gsktcjc": (r"^пылесос", None),
    "утюг": (r"^утюг", None),
    "утюг philips": (r"^утюг philips", r"^утюг"),
    "фен": (r"^фен", None),
    "фен dyson": (r"^фен dyson", r"^фен"),
    "дайсон": (r"dyson", None),
    "телевизор": (r"^телевизор", None),
    "телевизоры": (r"^телевизор", None),
    "ntktdbpjh": (r"^телевизор", None),
    "телевизор 55": (r"^телевизор.*диагональ=55 дюйм", r"^телевизор"),
    "телевизор 55 дюймов": (r"^телевизор.*диагональ=55 дюйм", r"^телевизор"),
    "телевизор samsung": (r"^телевизор samsung", r"^телевизор"),
    "телевизор самсунг": (r"^телевизор samsung", r"^телевизор"),
    "ue55au7100u": (r"ue55au7100u", r"^телевизор"),
    "смартфон": (r"^смартфон", None),
    "айфон": (r"iphone", r"^смартфон"),
    "iphone 15": (r"iphone 15", r"^смартфон"),
    "iphone 15 256": (r"iphone 15.*память=256", r"iphone 15"),
    "iphone 15 256gb": (r"iphone 15.*память=256", r"iphone 15"),
    "айфон 15 черный": (r"iphone 15.*цвет=черный", r"iphone 15"),
    "galaxy s24": (r"galaxy s24", r"^смартфон"),
    "самсунг галакси": (r"galaxy", r"^смартфон"),
    "redmi note 13": (r"redmi note 13", r"^смартфон"),
    "наушники": (r"^наушники", None),
    "беспроводные наушники": (r"^наушники.*беспроводные=да", r"^наушники"),
    "наушники с шумоподавлением": (r"^наушники.*шумоподавление=да", r"^наушники"),
    "wh-1000xm5": (r"wh-1000xm5", r"^наушники"),
    "wh1000xm5": (r"wh-1000xm5", r"^наушники"),
    "airpods": (r"airpods", r"^наушники"),
    "аирподс": (r"airpods", r"^наушники"),
    "yfeiybrb": (r"^наушники", None),
    "ноутбук": (r"^ноутбук", None),
    "ноутбук lenovo": (r"^ноутбук lenovo", r"^ноутбук"),
    "macbook air": (r"macbook air", r"^ноутбук"),
    "макбук": (r"macbook", r"^ноутбук"),
    "xiaomi": (r"\| xiaomi \|", None),
    "samsung": (r"\| samsung \|", None),
    "ищыср": (r"\| bosch \|", None),
    "чёрный чайник": (r"^чайник.*цвет=черный", r"^чайник"),
}  # fmt: skip
JUDGED: Judged = folded(_WRITTEN)
