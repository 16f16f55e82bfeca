"""Values as catalog feeds write them, read into the schema's types (`engine.product_schema`).

Kept apart from the schema's checks because these are about locales and feed conventions, not about
what a product is: a spreadsheet saved where the decimal separator is a comma writes "12,50".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any


class AmbiguousNumber(ValueError):
    """A number whose separators read two ways ("1,250": 1250 or 1.25)."""


_DECIMAL_COMMA = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{1,2}|[0-9]+,[0-9]{1,2}")
_THOUSANDS_COMMA = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")
# Thousands grouped by a space (French: "1 299,00", often a no-break space) or an apostrophe (Swiss).
_GROUPED = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f'’][0-9]{3})+(?:[.,][0-9]+)?")


# ISO 4217 currencies without a minor unit: their amounts have no decimals, so a comma or dot before
# three digits can only group thousands ("1,980" yen, "1.990" Icelandic kronur).
WHOLE_CURRENCIES = frozenset(
    {"JPY", "KRW", "ISK", "CLP", "VND", "PYG", "UGX", "XAF", "XOF", "XPF", "KMF", "GNF", "RWF", "DJF", "BIF"}
)
_WHOLE_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:\.[0-9]{3})+")


def parse_number(text: str, whole: bool = False) -> float:
    """A number as a spreadsheet in any locale writes it: "12.50", "12,50" and "1.234,56" (a decimal
    comma, with dots grouping thousands), "1,234.56" (commas grouping thousands). "1,250" reads two
    ways and raises `AmbiguousNumber`, unless the amount is `whole` (a currency without decimals,
    `WHOLE_CURRENCIES`), where it is 1250; anything else float() refuses raises ValueError. Thousands
    may also be grouped by spaces or apostrophes ("1 299,00", "1'299.00")."""
    text = text.strip()
    if whole and _WHOLE_GROUPED.fullmatch(text):
        return float(re.sub(r"[,.]", "", text))
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f'’]", "", text).replace(",", ".")
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _THOUSANDS_COMMA.fullmatch(text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", text):
        raise AmbiguousNumber("ambiguous number (a decimal comma or thousands?): write it without the comma")
    return float(text)


class CurrencyMismatch(ValueError):
    """A price written with another currency's sign or code than its record's ("$12" in a EUR record)."""


# Currency signs as price columns write them, with the ISO 4217 codes each may stand for.
CURRENCY_SIGNS: dict[str, frozenset[str]] = {
    "€": frozenset({"EUR"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"}),
    "us$": frozenset({"USD"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),  # also the full-width "￥", read as this one (NFKC)
    # Shift_JIS writes the yen sign as byte 0x5C, which Japanese systems show as "¥" and cp932 reads "\".
    "\\": frozenset({"JPY"}),
    "円": frozenset({"JPY"}),
    "元": frozenset({"CNY"}),
    "₩": frozenset({"KRW"}),
    "원": frozenset({"KRW"}),
    "₹": frozenset({"INR"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "kr.": frozenset({"DKK", "ISK"}),
    "zł": frozenset({"PLN"}),
    "kč": frozenset({"CZK"}),  # "12 990 Kč", as Czech shops write a price
    "fr.": frozenset({"CHF"}),
    "r$": frozenset({"BRL"}),
    "₺": frozenset({"TRY"}),
    "tl": frozenset({"TRY"}),  # "1.299,90 TL", as Turkish shops write a price
    "₽": frozenset({"RUB"}),
    "руб": frozenset({"RUB"}),
    "руб.": frozenset({"RUB"}),
}
# Codes shop systems still write for a currency whose ISO code changed: the ruble's before 1998 (Yandex
# Market's YML keeps it), the Turkish lira's from 2005 to 2008.
OLD_CODES = {"RUR": "RUB", "YTL": "TRY"}


def currency_code(text: str) -> str | None:
    """A record's currency as shop systems write it: an ISO 4217 code in any case ("eur"), an old code
    (`OLD_CODES`), or a sign or local abbreviation naming one currency ("zł", "TL", "₺", "€", "руб").
    None otherwise: not a currency, or a sign naming several ("$", "kr"), which only the shop can tell."""
    written = text.strip()
    if len(written) == 3 and written.isascii() and written.isalpha():
        code = written.upper()
        return OLD_CODES.get(code, code)
    codes = CURRENCY_SIGNS.get(unicodedata.normalize("NFKC", written).lower())
    return next(iter(codes)) if codes is not None and len(codes) == 1 else None


_LABELLED = re.compile(r"([^\d]*?)\s*([0-9](?:[0-9.,'’]|[ \u00a0\u202f](?=[0-9]))*)\s*([^\d]*)")


def parse_price(text: str, currency: str) -> float:
    """A price as a shop's export writes it: a number in any locale (`parse_number`), with or without
    its currency's sign or ISO code before or after it ("€ 12,50", "12,50 €", "EUR 12.50", "$12.99").
    A sign or code of another currency than `currency` (the record's) raises `CurrencyMismatch`: the
    number may be right, but for which money is a question only the shop can answer. Full-width digits,
    commas and signs, as Japanese and Chinese exports often write them ("３，９８０円", "￥9,900"),
    read as the ASCII ones."""
    whole = currency in WHOLE_CURRENCIES
    text = text if text.isascii() else unicodedata.normalize("NFKC", text)
    match = _LABELLED.fullmatch(text.strip())
    if match is None or (match.group(1) and match.group(3)):
        return parse_number(text, whole)
    label = (match.group(1) or match.group(3)).strip()
    if not label:
        return parse_number(match.group(2), whole)
    codes = CURRENCY_SIGNS.get(label.lower())
    if codes is None and len(label) == 3 and label.isalpha() and label.isupper():  # as ISO writes codes
        codes = frozenset({OLD_CODES.get(label, label)})
    if codes is None:
        return parse_number(text)  # not a currency: refused as a number, naming the text
    if currency not in codes:
        raise CurrencyMismatch(f"written in {label} but the record's currency is {currency}")
    return parse_number(match.group(2), whole)


_KNOWN = frozenset().union(*CURRENCY_SIGNS.values(), WHOLE_CURRENCIES)  # the ISO codes named above


def written_amount(text: str) -> bool:
    """Whether `text` is a number with a currency's sign or code before or after it ("CHF 50", "50 €",
    "$12.99"), as `parse_price` reads one: an amount, whatever the number's locale. A code counts when
    it names a currency named above (`CURRENCY_SIGNS`, `WHOLE_CURRENCIES`), so a model number such as
    "DHP482" is not read as 482 of a currency "DHP"."""
    text = text if text.isascii() else unicodedata.normalize("NFKC", text)
    match = _LABELLED.fullmatch(text.strip())
    if match is None or (match.group(1) and match.group(3)):
        return False
    label = (match.group(1) or match.group(3)).strip()
    return bool(label) and (label.lower() in CURRENCY_SIGNS or label in _KNOWN)


def read_number(value: Any, currency: str | None = None) -> float:
    """A number field as a feed gives it: a JSON number, or its text (`parse_number`; with `currency`, a
    price that may carry that currency's sign, `parse_price`). ValueError says why it is none."""
    try:
        if not isinstance(value, str):
            return float(value)
        return parse_price(value, currency) if currency else parse_number(value)
    except (AmbiguousNumber, CurrencyMismatch):
        raise
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None


def amount_or_zero(text: str) -> float:
    """A number as the schema reads one (`read_number`: "1.299,90"), 0 where there is none: a feed's
    price "по запросу" (on request), an empty discount. Feed readers compare prices with it before the
    schema reads them (a struck-through price above the one paid is a sale)."""
    try:
        return read_number(text)
    except ValueError:
        return 0.0


def availability_of_flag(value: Any) -> str | None:
    """`available` as feeds write it (true/false, "yes"/"no", 1/0) as an availability; None when it is
    not such a flag."""
    normal = str(value).strip().lower()
    if value is True or normal in _YES:
        return "in_stock"
    if value is False or normal in _NO:
        return "out_of_stock"
    return None


# Flags as spreadsheets write them in the catalog languages (`AISLE_CATALOG_LANGUAGE`): a Dutch export
# says "ja"/"nee", a French one "oui"/"non". No word is yes in one of them and no in another.
_YES = frozenset(
    {"true", "yes", "1", "y", "ja", "j", "oui", "vrai", "si", "sí", "sì", "vero", "waar", "wahr", "sim"}
)
_NO = frozenset({"false", "no", "0", "n", "nee", "nein", "non", "faux", "falso", "onwaar", "falsch"})
_NO |= {"nej", "nei", "não", "nao"}  # Swedish and Danish, Norwegian, Portuguese
_YES |= {"да", "есть"}  # Russian: yes, "there is" (a fridge's No Frost: "есть")
_NO |= {"нет"}
_YES |= {"evet", "var"}  # Turkish: yes, "there is" (a towel's "Su Geçirmez: Var")
_NO |= {"hayır", "hayir", "yok"}
_YES |= {"tak"}  # Polish
_NO |= {"nie"}


def said_yes(value: Any) -> bool | None:
    """Whether an attribute's value is a yes or a no written as a word (or a boolean): "Yes", "ja",
    "oui", "false". None otherwise, digits included: a size "1" or a count "0" is no yes or no."""
    if isinstance(value, bool):
        return value
    normal = str(value).strip().lower()
    if normal.isdigit():
        return None
    return True if normal in _YES else False if normal in _NO else None


def attribute_words(name: str, value: Any) -> str:
    """An attribute as its words are searched: a list's values, or the value; for a yes/no, the name's
    words where it says yes ("vegan" for `vegan: Yes`, "fragrance free" for `fragrance_free: Yes`: what
    a shopper types, where "Yes" would match every such product's "yes") and nothing where it says no."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    flag = said_yes(value)
    if flag is None:
        return str(value)
    return re.sub(r"[_\-.]+", " ", name).strip() if flag else ""


# A URL starts after a comma, a vertical bar or white space that comes before "http(s)://".
_NEXT_URL = re.compile(r"\s*[,|]\s*(?=https?://)|\s+(?=https?://)")


def first_image(value: Any) -> Any:
    """The product's image from a field that may list several: WooCommerce exports "url1, url2", other
    feeds a "|"-separated cell or a JSON list. The first is the product's picture, as in the shop; a
    single path or URL (which may itself hold commas) is returned as it is."""
    if isinstance(value, (list, tuple)):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, str) and value.lstrip().lower().startswith(("http://", "https://")):
        return _NEXT_URL.split(value.strip(), maxsplit=1)[0]
    return value


def published_of_flag(value: Any) -> bool | None:
    """Whether a product is on the shop, as exports say it: a flag (`published` true/false, 1/0) or the
    status words of shop systems. WooCommerce's `Published` is 1, 0 (draft) or -1 (private) and its
    `Visibility in catalog` "visible", "search", "catalog" (listed but not searchable) or "hidden";
    Shopify's `Status` "active", "draft" or "archived"; Magento's `product_online` 1 or 2 (disabled)
    and its `visibility` "Catalog, Search", "Search", "Catalog" (not searchable) or "Not Visible
    Individually" (shown only through its configurable product, `indexer.listed_variants`); PrestaShop's
    `Active (0/1)` and its `Visibility` "both", "search", "catalog" (not searchable) or "none". None when
    it is none of these."""
    normal = str(value).strip().lower()
    if value is True or normal in _YES or normal in _SHOWN:
        return True
    if value is False or normal in _NO or normal in _NOT_SHOWN:
        return False
    return None


def least_shown(values: list[str]) -> str:
    """Of the values several columns give for whether a product is on the shop, the one that hides it,
    else one no flag reads (so the record is refused naming it), else the first given: WooCommerce writes
    a draft in `Published` (-1) and a product left out of the catalog in `Visibility in catalog`
    ("hidden"), and a product either hides is not searchable."""
    given = [v for v in values if v.strip()]
    hiding = next((v for v in given if published_of_flag(v) is False), None)
    unread = next((v for v in given if published_of_flag(v) is None), None)
    return hiding if hiding is not None else unread if unread is not None else next(iter(given), "")


def shown_only_in_family(value: Any) -> bool:
    """Whether `value` (a record's `published`) says the product is shown only through its family's
    product: Magento's "Not Visible Individually"."""
    return isinstance(value, str) and value.strip().lower() == _ONLY_IN_FAMILY


_ONLY_IN_FAMILY = "not visible individually"
_SHOWN = frozenset({"active", "published", "publish", "visible", "search", "public", "catalog, search"})
_SHOWN |= {"enabled", "both"}  # PrestaShop's Visibility: in the catalog and in search
_NOT_SHOWN = frozenset({"-1", "draft", "private", "pending", "hidden", "archived", "catalog", "unpublished"})
_NOT_SHOWN |= {"2", "disabled", _ONLY_IN_FAMILY}  # Magento: product_online 2, a configurable's child
_NOT_SHOWN |= {"none"}  # PrestaShop's Visibility: nowhere
