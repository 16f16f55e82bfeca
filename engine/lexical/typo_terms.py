"""The words a misspelt query word stands for in the embedded index: the `spell` terms within its typo
distance, looked up in a deletion index of the index's vocabulary.

Why not tantivy's own fuzzy query: an automaton clause costs the same whatever it matches (about 0.08 ms
per word on the 54,667-product homedepot index, as much when it matches no term at all), and a match
set's query holds one per word of four or more characters, evaluated two or three times per search
(members with their count, membership of the candidates). The same clause as a disjunction of the few
terms the automaton would have found (4.5 on average) costs a third of that. The distance is the
automaton's: Levenshtein with a swap of two adjacent letters as one edit (optimal string alignment,
verified with rapidfuzz's `OSA`).

Finding the terms (`SpellIndex`): two strings within k such edits of each other become equal once at
most k letters are deleted from each, so the index maps every deletion variant of every term (up to one
deletion for all terms, up to two for terms of six letters or more, the shortest a word of eight, the
first length with two typos, can reach) to the term, as sorted 64-bit hashes in numpy arrays (6.7 MB
for homedepot's 19,818 terms, 15.5 MB at the peak of a build); a word's own variants find the
candidates, which are then checked.
A lookup costs about 20 microseconds; its answer is kept with the index, since a search builds its
query three or four times.

The vocabulary changes when the index gains words. `TypoTerms.invalidate` (a commit here, or a reload
that sees another process's commit) starts a rebuild in a background thread and answers None until it
is done, which has the caller keep the automaton: a word new to the catalog is found through its typos
at once, never missed. A rebuild whose vocabulary turns out unchanged (a price update) keeps the old
index; builds start at most every `rebuild_interval_s` (10 s) on their own, since a build costs about
0.35 s of CPU on homedepot's vocabulary and a catalog may gain words at every write. A word within reach
of more than `max_terms` terms is answered None too, and so is every word of a vocabulary larger than
`max_vocabulary` (200,000 terms: the index grows with it, 12 bytes per deletion variant, about 28
variants per term on homedepot). The same index lists the terms a word begins (search as you type),
which replaces the prefix automaton the same way, and the terms a word ends after a few letters (the
compounds of German and Dutch catalogs, `engine.lexical.matching.compound_ends`), from the terms
spelt backwards.
"""

from __future__ import annotations

import bisect
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import cast

import numpy as np
from rapidfuzz.distance import OSA

from engine.lexical.matching import MIN_COMPOUND_MODIFIER

MAX_TERMS = 64
MAX_ANSWERS = 100_000
_UNSEEN = object()
REBUILD_INTERVAL_S = 10.0
MAX_VOCABULARY = 200_000  # about 70 MB of deletion variants; a larger vocabulary keeps the automaton
_TWO_DELETIONS_FROM = 6  # 8 letters (two typos) minus 2
_BEGINNING, _ENDING = -1, -2  # the memo's "distance" of a beginning and of an ending


def deletions(word: str, most: int) -> Iterator[str]:
    """`word` and every string made by deleting up to `most` of its letters (repeats possible)."""
    yield word
    if most <= 0:
        return
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1 :]
        yield from deletions(shorter, most - 1) if most > 1 else (shorter,)


class SpellIndex:
    """An immutable lookup of the terms within one or two edits of a word."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = sorted(set(terms))
        # What `TypoTerms` answered from this index, by (word, distance; -1 for a beginning): a search
        # builds its query three or four times (members, candidates' membership, facets).
        self.answers: dict[tuple[str, int], tuple[str, ...] | None] = {}
        self.one = self._table(1, range(len(self.terms)))
        self.two = self._table(2, (i for i, t in enumerate(self.terms) if len(t) >= _TWO_DELETIONS_FROM))
        self._backwards: list[str] | None = None  # the terms spelt backwards, sorted; made when first asked

    def _table(self, most: int, rows: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(sorted hashes of the deletion variants, the term row of each). The hashes are collected in a
        machine-word array, not a list of Python ints (a third of the memory while building)."""
        keys = array("q")
        indexed: list[int] = []
        counts: list[int] = []
        for row in rows:
            variants = {hash(v) for v in deletions(self.terms[row], most)}
            keys.extend(variants)
            indexed.append(row)
            counts.append(len(variants))
        key_array = np.frombuffer(keys, dtype=np.int64) if keys else np.zeros(0, dtype=np.int64)
        owners = np.repeat(np.asarray(indexed, dtype=np.int32), counts)
        order = np.argsort(key_array, kind="stable")
        return key_array[order], owners[order]

    def starting(self, begin: str) -> list[str]:
        """The terms that begin with `begin` (itself included), sorted."""
        first = bisect.bisect_left(self.terms, begin)
        last = bisect.bisect_left(self.terms, begin + "\U0010ffff", first)
        return self.terms[first:last]

    def ending(self, end: str) -> list[str]:
        """The terms that end with `end` after at least `MIN_COMPOUND_MODIFIER` letters, sorted."""
        if self._backwards is None:  # only catalogs in a compounding language ask
            self._backwards = sorted(term[::-1] for term in self.terms)
        backwards, key = self._backwards, end[::-1]
        first = bisect.bisect_left(backwards, key)
        last = bisect.bisect_left(backwards, key + "\U0010ffff", first)
        shortest = len(end) + MIN_COMPOUND_MODIFIER
        return sorted(term[::-1] for term in backwards[first:last] if len(term) >= shortest)

    def within(self, word: str, distance: int) -> list[str]:
        """The terms within `distance` (1 or 2) edits of `word`, sorted."""
        keys, owners = self.one if distance <= 1 else self.two
        wanted = np.fromiter({hash(v) for v in deletions(word, distance)}, dtype=np.int64)
        starts = np.searchsorted(keys, wanted, side="left")
        ends = np.searchsorted(keys, wanted, side="right")
        rows = {r for s, e in zip(starts.tolist(), ends.tolist(), strict=True) for r in owners[s:e].tolist()}
        terms = self.terms
        return sorted(
            terms[r] for r in rows if OSA.distance(word, terms[r], score_cutoff=distance) <= distance
        )


class TypoTerms:
    """Thread-safe. `read_vocabulary` lists the `spell` field's terms as the index holds them now."""

    def __init__(
        self,
        read_vocabulary: Callable[[], Iterable[str]],
        max_terms: int = MAX_TERMS,
        rebuild_interval_s: float = REBUILD_INTERVAL_S,
        max_vocabulary: int = MAX_VOCABULARY,
    ) -> None:
        self._read = read_vocabulary
        self.max_terms = max_terms
        self.max_vocabulary = max_vocabulary
        self._oversized = -1  # the epoch whose vocabulary was too large to index
        self.rebuild_interval_s = rebuild_interval_s
        self._next_build = 0.0  # monotonic time before which no build starts on its own
        self._lock = threading.Lock()
        self._index: SpellIndex | None = None
        self._stale: SpellIndex | None = None  # the last index served, kept if the vocabulary is unchanged
        self._epoch = 0  # bumped by every invalidation; a build for an older epoch is not served
        self._building = False
        self._served = threading.Event()
        self.builds = 0  # indexes built (not counting rebuilds that kept the old one)

    def terms(self, word: str, distance: int) -> tuple[str, ...] | None:
        """The vocabulary's terms within `distance` edits of `word` (the word itself when the index has
        it); None while the index is being (re)built or when there are more than `max_terms`."""
        return self._answer(word, distance)

    def beginning(self, begin: str) -> tuple[str, ...] | None:
        """The vocabulary's terms that begin with `begin`; None while the index is being (re)built or
        when there are more than `max_terms`."""
        return self._answer(begin, _BEGINNING)

    def ending(self, end: str) -> tuple[str, ...] | None:
        """The vocabulary's terms that end with `end` after `MIN_COMPOUND_MODIFIER` letters (compounds);
        None while the index is being (re)built or when there are more than `max_terms`."""
        return self._answer(end, _ENDING)

    def _answer(self, word: str, distance: int) -> tuple[str, ...] | None:
        index = self._index
        if index is None:
            self._start_build()
            return None
        answers = index.answers
        answer = answers.get((word, distance), _UNSEEN)
        if answer is _UNSEEN:
            if distance == _BEGINNING:
                found = index.starting(word)
            else:
                found = index.ending(word) if distance == _ENDING else index.within(word, distance)
            answer = tuple(found) if len(found) <= self.max_terms else None
            if len(answers) >= MAX_ANSWERS:
                answers.clear()
            answers[(word, distance)] = answer
        return cast("tuple[str, ...] | None", answer)

    def invalidate(self) -> None:
        """The index may hold new terms: stop answering until the vocabulary is read again."""
        with self._lock:
            self._epoch += 1
            self._stale = self._index or self._stale
            self._index = None
            self._served.clear()
        self._start_build()

    def wait(self, timeout: float = 30.0) -> bool:
        """Start a build now if none is served and wait until one is (a warm start, and tests); False
        on timeout or when the vocabulary is too large to index."""
        self._start_build(now=True)
        deadline = time.monotonic() + timeout
        while not self._served.wait(min(0.05, max(deadline - time.monotonic(), 0.0))):
            if self._oversized == self._epoch or time.monotonic() >= deadline:
                return False
        return True

    def _start_build(self, now: bool = False) -> None:
        """Build in the background, unless a build runs, one is served, or the last one finished less
        than `rebuild_interval_s` ago (a catalog gaining words at every write would otherwise rebuild
        all the time; the automaton answers meanwhile)."""
        with self._lock:
            if self._building or self._index is not None or self._oversized == self._epoch:
                return
            if not now and time.monotonic() < self._next_build:
                return
            self._building = True
        threading.Thread(target=self._build, name="typo-terms", daemon=True).start()

    def _build(self) -> None:
        try:
            while True:
                with self._lock:
                    epoch, stale = self._epoch, self._stale
                terms = sorted(set(self._read()))
                if len(terms) > self.max_vocabulary:  # the automaton answers until the index changes
                    with self._lock:
                        self._oversized = epoch
                        if self._epoch == epoch:
                            return
                    continue
                kept = stale is not None and stale.terms == terms
                index = stale if stale is not None and kept else SpellIndex(terms)
                with self._lock:
                    if self._epoch == epoch:  # else the index changed meanwhile: read it again
                        self._index, self._stale = index, None
                        self.builds += 0 if kept else 1
                        self._served.set()
                        return
        finally:
            with self._lock:
                self._building = False
                self._next_build = time.monotonic() + self.rebuild_interval_s
