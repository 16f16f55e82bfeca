"""`indexer check` names the catalog language a catalog's words read as when it is not the one set
(`indexer.language_hint`): Turkish, Russian, German, Polish, Spanish apart from Portuguese; nothing for an
English catalog left at English, a catalog of CJK or of too few words, or two languages as close as
Danish and Norwegian."""

from __future__ import annotations

from engine.records import Product
from indexer.language_hint import catalog_language, language_note


def catalog(*titles: str, description: str = "") -> list[Product]:
    return [Product(str(n), title, description=description) for n, title in enumerate(titles)]


TURKISH = catalog(
    "Pamuklu Banyo Havlusu", "Kırmızı Çift Kişilik Pike", "Yastık Kılıfı", "Bambu Bornoz",
    description="Yumuşak ve emici, yıkandıkça güzelleşir; banyo için şık bir seçim.",
)  # fmt: skip
RUSSIAN = catalog("Холодильник Bosch", "Стиральная машина LG", description="Тихая и экономичная для дома.")
GERMAN = catalog(
    "Bremsbeläge für Golf 7", "Ölfilter", description="Für den Golf und den Passat, mit Gutachten."
)
SPANISH = catalog("Pienso para perros", "Arena para gatos", description="Con pollo y arroz, sin cereales.")
POLISH = catalog(
    "Krzesło tapicerowane szare", "Łóżko drewniane 140x200", description="Wygodne i trwałe, do sypialni."
)
ENGLISH = catalog("Cordless drill", "Wood screws", description="For the garage and the garden, with a case.")


def test_a_catalogs_words_name_its_language() -> None:
    assert catalog_language(TURKISH * 3) == "turkish"
    assert catalog_language(RUSSIAN * 5) == "russian"
    assert catalog_language(GERMAN * 5) == "german"
    assert catalog_language(SPANISH * 10) == "spanish"  # "de", "con" are shared; "para", "y" are its own
    assert catalog_language(ENGLISH * 5) == "english"
    assert catalog_language(POLISH * 5) == "polish"  # "ł", "ż", "ó" and "do", "i"


def test_nothing_is_named_without_words_enough_or_a_clear_lead() -> None:
    assert catalog_language(TURKISH[:1]) is None  # too few words to tell
    assert catalog_language(catalog("鉄フライパン 26cm", "電気ケトル") * 10) is None
    nordic = catalog("Jakke til børn", "Sko til voksne", description="Det er en god jakke med lommer.")
    assert catalog_language(nordic * 10) is None  # Danish or Norwegian: their stop words are one list


def test_the_note_says_what_to_set_only_when_the_language_set_differs() -> None:
    assert language_note("turkish", "turkish") == [] and language_note(None, "english") == []
    note = language_note("turkish", "english")
    assert "read as Turkish" in note[0] and "AISLE_CATALOG_LANGUAGE=turkish" in note[1]
