"""A book's two ISBNs: the 13-digit one (an EAN beginning 978) and the 10-digit one it replaced.

Books printed before 2007 carry only the ISBN-10, and shoppers still type it (it is also what many
marketplaces list a book under); a catalog usually stores one form. Both forms of a 978 ISBN name the
same book: the ISBN-13 is "978", the first nine digits of the ISBN-10 and a new check digit. So the
identifier field of a product holds the other form too (`other_forms`), and the number without an
"ISBN" label in front, and a query in either form finds it exactly. Only checked numbers are
converted (the EAN check digit of a 13-digit value, the mod-11 check of a 10-digit one), so an
ordinary SKU is left alone; ISBNs beginning 979 have no 10-digit form.
"""

from __future__ import annotations

_PREFIX = "isbn"  # "ISBN 978-84-..." normalises to "isbn97884..."


def ean_check_digit(first12: str) -> str:
    """The check digit of an EAN-13 (an ISBN-13 too) whose first twelve digits are `first12`."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_check(first9: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "x" if check == 10 else str(check)


def other_forms(normalised: str) -> list[str]:
    """The forms besides `normalised` (`normalize_identifier`: lowercase, no spaces or dashes) under
    which a checked ISBN is found: the number without an "isbn" label, and the other length of a 978
    ISBN. Empty for anything else."""
    value = normalised.removeprefix(_PREFIX)
    other = None
    isbn13 = len(value) == 13 and value.isdigit() and value.startswith("978")
    isbn10 = len(value) == 10 and value[:9].isdigit() and (value[9].isdigit() or value[9] == "x")
    if isbn13 and ean_check_digit(value[:12]) == value[12]:
        other = value[3:12] + _isbn10_check(value[3:12])
    elif isbn10 and _isbn10_check(value[:9]) == value[9]:
        other = "978" + value[:9] + ean_check_digit("978" + value[:9])
    if other is None:
        return []
    return [value, other] if value != normalised else [other]
