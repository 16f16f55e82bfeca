"""Polish words brought to a common form by one suffix rule, the same in both lexical backends.

Polish declines nouns in seven cases and adjectives agree with them in gender, number and case, so a
shop's title and a shopper's query rarely write a word alike: the title says "Krzesło tapicerowane"
(a chair, upholstered), the category "Krzesła" (chairs), the shopper "krzesła tapicerowane do
jadalni" or "szare krzesło" where the title writes "szare" after the name; "łóżko" (a bed) is "łóżka"
in the plural, "łóżku" after a preposition; a white bed is "białe łóżko", a white chest of drawers
"biała komoda", "białego" after "do". Lucene's Polish stemmer (Stempel) is a plugin no stock
OpenSearch carries, and Snowball's Polish is not in Lucene, so neither can run on both backends alike.

So Polish words are folded to ASCII first, as every accent-free language's are (`ACCENT_FREE_LANGUAGES`:
Polish shoppers often type without the Polish letters, "lozko" for "łóżko", and folding also joins
"stół" and its other forms "stołu", "stoły"), and then lose their longest inflectional ending of those
nouns and adjectives take ("-ami", "-ach", "-ych", "-ego", "-ie", "-ów", "-y", "-a", ...), once, keeping
at least three letters: "krzesło", "krzesła", "krzesłami" -> "krzesl"; "białe", "biała", "białego" ->
"bial"; "stolików" -> "stolik". Forms whose stem itself changes stay apart ("łóżek", the plural's
genitive, is "lozek"; "krześle" is "krzesl" by luck), which the typo tolerance often bridges.

The rule runs as every language's own rules do (`engine.lexical.rule_stemmer`): here in Python, in
OpenSearch as a `pattern_replace` token filter, so both backends index the same terms.
"""

from __future__ import annotations

from engine.lexical.rule_stemmer import Rules

# Endings of nouns and adjectives, as folded to ASCII ("-ów" is "-ow", "-ą" and "-ę" are "-a" and "-e").
# At the end of a word the regex engine tries the earliest start first, which is the longest ending.
_ENDINGS = (
    *("ymi", "imi", "ami", "ach", "ych", "ich", "ego", "emu", "iem", "owi"),
    *("ie", "ow", "om", "em", "ej", "ym", "im", "a", "e", "i", "o", "u", "y"),
)
RULES: Rules = ((f"(?<=[a-z]{{3}})(?:{'|'.join(_ENDINGS)})$", ""),)
