"""Czech words brought to a common form by two rules, the same in both lexical backends.

Czech declines nouns in seven cases and adjectives agree with them, so a shop's title and a shopper's
query rarely write a word alike: the title says "Horské kolo" (a mountain bike), the category "Horská
kola" (in the plural), the shopper "horská kola" or "kolo na horské výlety"; "přilba" (a helmet) is
"přilby" in the plural, "přilbu" after "na"; a children's bike is "dětské kolo", children's bikes
"dětská kola". A vowel of the stem drops in other forms: "zámek" (a lock) and "zámky" (locks), "světlo"
(a light) and "sada světel" (a set of lights). OpenSearch's own Czech stemmer (Lucene's light
`czech_stem`) has no twin in Python, and Snowball has no Czech, so no stemmer ran on both backends alike.

So Czech words are folded to ASCII first, as every accent-free language's are (`ACCENT_FREE_LANGUAGES`:
Czech shoppers often type without the Czech letters, "prilba" for "přilba", "zadni svetlo"), then lose
their longest inflectional ending of those nouns and adjectives take ("-ymi", "-ech", "-eho", "-ou",
"-em", "-y", "-a", ...), once, keeping at least three letters: "kolo", "kola", "kolem" -> "kol";
"horské", "horská", "horských" -> "horsk"; and then the stem's last "e" before a final "k", "c", "l"
or "v" goes ("zamek" and "zamk" -> "zamk", "svetel" and "svetl" -> "svetl", "lahev" and "lahv" -> "lahv"),
which joins the forms whose vowel drops and is harmless where none does ("kabel" and "kabelu" are both
"kabl"). Adjectives in "-ový" keep their "-ov" ("trekingový", "trekingové" -> "trekingov"), which their
nouns do not ("treking"): one word each, as a Czech reads them.

The rules run as every language's own rules do (`engine.lexical.rule_stemmer`): here in Python, in
OpenSearch as `pattern_replace` token filters, so both backends index the same terms.
"""

from __future__ import annotations

from engine.lexical.rule_stemmer import Rules

# Endings of nouns and adjectives, as folded to ASCII ("-ého" is "-eho", "-ů" "-u", "-ě" "-e"). At the
# end of a word the regex engine tries the earliest start first, which is the longest ending.
_ENDINGS = (
    *("ymi", "imi", "ami", "emi", "ach", "ech", "ich", "ych", "eho", "emu", "iho", "imu"),
    *("ou", "em", "ym", "im", "um", "a", "e", "i", "o", "u", "y"),
)
RULES: Rules = (
    (f"(?<=[a-z]{{3}})(?:{'|'.join(_ENDINGS)})$", ""),
    ("(?<=[a-z]{3})e(?=[kclv]$)", ""),  # the vowel that drops: zámek / zámky, světlo / světel
)
