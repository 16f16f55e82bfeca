"""The stop words each catalog language drops: the function words that carry no product meaning.

Kept apart from the analysers (`engine.lexical.analysis`) as the lists they read. The OpenSearch
analysers use these same lists (`engine.lexical.mapping`; English: Lucene's `_english_`), so both
backends drop the same words.
"""

from __future__ import annotations

# Lucene's English stop word set (`_english_` in OpenSearch).
_STOPWORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the their then there"
)
ENGLISH_STOPWORDS = frozenset((_STOPWORDS + " these they this to was will with").split(" "))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short stop word lists: the function words that carry no product meaning. The OpenSearch analysers use
# these same lists (`engine.lexical.mapping`), so both backends drop the same words.
STOPWORDS: dict[str, frozenset[str]] = {
    "german": _words(
        "der die das den dem des ein eine einer eines einem einen und oder mit von zu zum zur für "
        "im in auf aus bei ist sind nicht als auch wie am an"
    ),
    "french": _words(
        "le la les un une des du de d l et ou en au aux avec pour par sur dans est sont pas ce "
        "cette ces qui que à a"
    ),
    "spanish": _words(
        "el la los las un una unos unas de del y o en con por para al es son no que se su sus lo a"
    ),
    "italian": _words(
        "il lo la i gli le un uno una di del della dei delle e o in con per da su al è sono non che a"
    ),
    "dutch": _words("de het een en of van in op met voor aan te bij is zijn niet dat die als ook"),
    "swedish": _words("och i att det som en på är av för med till den har de inte om ett men var så från"),
    "danish": _words("og i at det som en på er af for med til den har de ikke om et men var så fra"),
    "norwegian": _words("og i at det som en på er av for med til den har de ikke om et men var så fra"),
    "portuguese": _words(
        "o a os as um uma uns umas de do da dos das e ou em no na nos nas com por para ao é são não que se"
    ),
    "russian": _words(
        "и в во на с со к ко у о об от до по за из для при без под над не ни но а или же ли бы то это "
        "как что где он она оно они его ее их"
    ),
    "turkish": _words("ve veya ile için bir bu da de ki mi mı mu mü ama gibi çok daha en her hem ya"),
    "polish": _words(
        "i w we z ze na do o od po za dla pod nad przy oraz lub albo a ale czy jest są nie to się jak co"
    ),
    "czech": _words(
        "a i v ve na s se z ze do k ke o od po pro za u pod nad při bez je jsou nebo ale to jak co že"
    ),
}
