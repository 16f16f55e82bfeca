"""Words brought to a common form by a language's own rewrite rules, for the languages a stock OpenSearch
cannot stem alike (`engine.lexical.polish`, `engine.lexical.czech`).

A rule is a regular expression and its replacement, in a syntax Python and Java share (no group
references: lookbehinds and lookaheads keep what stays); the rules run in order, each at most once. The
embedded index runs them here, OpenSearch as one `pattern_replace` token filter each
(`engine.lexical.mapping`), so both backends index the same terms.
"""

from __future__ import annotations

import re

Rules = tuple[tuple[str, str], ...]  # (pattern, replacement), in order


class RuleStemmer:
    """A language's rules (`Rules`) with PyStemmer's interface (`stemWords`), for `SnowballAnalyzer`."""

    def __init__(self, rules: Rules) -> None:
        self._rules = tuple((re.compile(pattern), replacement) for pattern, replacement in rules)

    def stem(self, word: str) -> str:
        """`word` (lowercased, folded to ASCII) with each rule applied once, in order."""
        for pattern, replacement in self._rules:
            word = pattern.sub(replacement, word, count=1)
        return word

    def stemWords(self, words: list[str]) -> list[str]:
        return [self.stem(word) for word in words]
