"""Turkish words brought to a common form by a few suffix rules, the same in both lexical backends.

Turkish builds words by suffixes, and product names are full of them: a towel is "havlu", a bath towel
"banyo havlusu" (the compound's suffix), towels "havlular", the towels of a set "havluları"; a pillow
"yastık", its case "yastık kılıfı", and "yastığı" where the k softens to ğ. Snowball's Turkish stemmer
(Lucene's, PyStemmer's) reads many of these as other suffixes: "perde" (a curtain) becomes "per" while
"perdeler" becomes "perde", "yastık" becomes "yas", "havlusu" stays "havlus", so "havlu" never finds a
bath towel and "perdeler" never finds a curtain. And shoppers type without the Turkish letters
("yastik", "kirmizi"), which that stemmer, reading vowel harmony from "ı" and "ü", leaves unstemmed.

So Turkish words are folded to ASCII first, as every accent-free language is (`ACCENT_FREE_LANGUAGES`:
"yastık" and "yastik" are one word), and then lose, in this order and each at most once, the few suffixes
product names use: the plural with or without its possessive ("-lar", "-leri"), the compound's "-sı"
after a vowel, a final "-ı" (possessive, accusative) or the adjective's "-lı" ("pamuklu", of cotton)
after a consonant; a stem left ending in a softened consonant has it hardened back ("yastığ" ->
"yastık", "dolab" -> "dolap", "reng" -> "renk"). Each rule keeps at least three letters before it. A
root ending in "-u" or "-i" loses it too ("havlu" -> "havl"), which is harmless: every form of the word
does, on both sides. A suffix after an apostrophe (names: "Denizli'nin", "Ege Çeyiz'in") goes first.

The rules are regular expressions in a syntax Python and Java share; OpenSearch runs them as
`pattern_replace` token filters (`engine.lexical.mapping`), so both backends index the same terms.
"""

from __future__ import annotations

import re

_CONSONANT = "[bcdfghjklmnpqrstvwxyz]"
# After an apostrophe, a proper name's case suffix: "denizli'nin" -> "denizli".
APOSTROPHE_SUFFIX = "['’].*$"
# (pattern, replacement) in order; Java's `$1` is Python's `\1` (none is used: lookbehinds keep the stem).
SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("(?<=[a-z]{3})l[ae]r[iu]?$", ""),  # havlular, havluları -> havlu
    ("(?<=[a-z]{2}[aeiou])s[iu]$", ""),  # havlusu -> havlu, örtüsü -> örtü
    (f"(?<=[a-z]{{3}}{_CONSONANT})l?[iu]$", ""),  # takımı -> takım, pamuklu -> pamuk, havlu -> havl
    ("(?<=[a-z]{2}[aeiou])g$", "k"),  # yastığı -> yastığ -> yastık
    ("(?<=[a-z]{2}[aeiou])b$", "p"),  # dolabı -> dolab -> dolap
    ("(?<=[a-z])ng$", "nk"),  # rengi -> reng -> renk
)
_APOSTROPHE = re.compile(APOSTROPHE_SUFFIX)
_RULES = tuple((re.compile(pattern), replacement) for pattern, replacement in SUFFIX_RULES)


def turkish_stem(word: str) -> str:
    """`word` (lowercased, folded to ASCII) without its suffixes (see the module's docstring)."""
    if "'" in word or "’" in word:
        word = _APOSTROPHE.sub("", word) or word
    for pattern, replacement in _RULES:
        word = pattern.sub(replacement, word, count=1)
    return word


class TurkishStemmer:
    """`turkish_stem` with PyStemmer's interface (`stemWords`), for `SnowballAnalyzer`."""

    def stemWords(self, words: list[str]) -> list[str]:
        return [turkish_stem(word) for word in words]
