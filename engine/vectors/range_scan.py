"""Exact range search ("every row whose inner product with q is above t") at a quarter of the bytes.

A range search over a catalog's float32 vectors reads the whole matrix for every query (54,667 x 384 x 4
bytes = 84 MB on homedepot), so it is bound by memory bandwidth, not arithmetic. This module scores an
int8 copy first (a quarter of the bytes, multiplied by ONNX Runtime's integer matrix kernel, VNNI where
the CPU has it), bounds each row's error, and rescores exactly, with FAISS's own inner-product kernel,
only the rows whose upper bound clears the threshold. The answer is the one `IndexFlatIP.range_search`
gives, to the bit: the same rows, in row order, with the same float32 scores (FAISS scores a row with the
same kernel either way; the tests compare).

Why the bound is safe. Row x (float32) is stored as codes c = round(x / s), s = max|x| / 127, with the
residual e = x - s c; the query q as codes a = round(q / u) in [-63, 63], u = max|q| / 63, residual f.
Then, in real arithmetic, q.x = u s (a.c) + q.e + f.(s c), so
    q.x <= u s (a.c) + |q| |e| + |f| |s c|                       (Cauchy-Schwarz, twice)
and the float32 score FAISS computes is within gamma_d |q| |x| of q.x, whatever its summation order
(gamma_d = d 2^-24 / (1 - d 2^-24)). a.c is an exact integer (|a.c| <= 384 * 63 * 127 < 2^24, so float32
holds it exactly too), and a further 1e-5 |q| |x| covers the few float32 roundings of the bound itself
(each a few 2^-24 of that size). A row is rescored when its bound exceeds the threshold, so no row FAISS
would return is skipped; each row's terms are stored rounded up.

The same pass also answers the exact top k (`nearest_and_within`, the dense candidates of a search that
needs the range anyway): the bound holds from below too (q.x >= u s (a.c) - the same two terms), so
with L the k-th largest lower bound, every row of the true top k has an upper bound >= L; those rows are
rescored and the k best kept. When the range itself holds k rows or more (a broad query), the top k are
among them and nothing more is read.

Why 63 and not 127 for the query: x86 CPUs without VNNI multiply uint8 by int8 pairwise into int16 with
saturation; with the query's codes shifted to 1..127 no pair can reach 2^15, so the integer product is
exact on every kernel. A self-check at build compares ONNX Runtime's product with numpy's anyway; if it
ever disagrees (or onnxruntime is missing, or the catalog is small) the plain FAISS range search answers.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from engine.vectors.int8_product import int8_product_session

log = logging.getLogger(__name__)

MIN_ROWS = 4096  # below this a plain scan is cheap and the int8 copy is not built
_ROW_CODE = 127  # rows: int8 codes in [-127, 127]
_QUERY_CODE = 63  # query: codes in [-63, 63], shifted by 64 to uint8 1..127 (see the module docstring)
_QUERY_ZERO = 64
_ROUNDING = 1e-5  # relative to |q| |x|: the float32 roundings in computing the bound, with room to spare
_CHUNK = 8192  # rows quantised at a time (bounds the memory a build needs beside the matrix)
_MAX_CANDIDATE_SHARE = 0.5  # more rows than this to rescore: one plain scan is cheaper
_BUILDS = threading.Lock()  # one int8 copy built at a time: a burst of writes cannot pile up builds


class RangeScanner:
    """Exact range search over a fixed float32 matrix (rows L2-normalised or not); see the module
    docstring. Thread-safe: searches only read.

    With `background=True` the int8 copy is built on a thread of its own (about 2 s for 54,667 x 384 on
    a busy 2-core machine, against 0.2 s for the float32 copy) and plain scans answer until it is ready,
    so the first search after a catalog write does not wait for it; `close` tells a build that has not
    started yet that its copy is no longer wanted."""

    def __init__(self, faiss: Any, matrix: np.ndarray, *, background: bool = False) -> None:
        self._faiss = faiss
        self._closed = False
        self.rows, self.dim = matrix.shape
        self._flat = faiss.IndexFlatIP(self.dim)
        if self.rows:
            self._flat.add(np.ascontiguousarray(matrix, dtype=np.float32))
        self._int8: _Int8Scores | None = None
        if self.rows >= MIN_ROWS:
            # The flat index's own storage, viewed (not copied), for exact rescoring of chosen rows.
            self._matrix = faiss.rev_swig_ptr(self._flat.get_xb(), self.rows * self.dim)
            self._matrix = self._matrix.reshape(self.rows, self.dim)
            if background:
                threading.Thread(target=self._build, name="range-scan-int8", daemon=True).start()
            else:
                self._build()

    def _build(self) -> None:
        with _BUILDS:
            if not self._closed:
                self._int8 = _Int8Scores.build(self._matrix)

    def close(self) -> None:
        """This copy will not be searched again (a write replaced it)."""
        self._closed = True

    @property
    def quantised(self) -> bool:
        """Whether searches go through the int8 pre-filter (False: plain FAISS scans)."""
        return self._int8 is not None

    @property
    def settled(self) -> bool:
        """Searches run as they will from now on: through the int8 pre-filter, or plainly on a matrix
        too small to get one."""
        return self._int8 is not None or self.rows < MIN_ROWS

    def within(self, q: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of every row whose inner product with `q` (shape (1, dim), float32) is above
        `min_score`: exactly `IndexFlatIP.range_search`'s answer, rows ascending."""
        int8 = self._int8
        if int8 is not None:
            rows = int8.candidates(q[0], min_score)
            if rows is not None:
                scores = self._rescore(q, rows)
                keep = scores > np.float32(min_score)  # FAISS keeps scores strictly above the radius
                return rows[keep], scores[keep]
        return self.scan(q, min_score)

    def nearest_and_within(
        self, q: np.ndarray, k: int, min_score: float, masked: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(top rows, their scores, range rows, their scores): the `k` rows with the highest inner
        products with `q` (exact: FAISS's float32 scores, highest first, equal scores by row) and
        `within(q, min_score)`'s answer, from one int8 pass; rows where `masked` is True are left out
        of both. None when the int8 copy is not there (yet) or the range holds most rows: the caller
        then asks an index for the top k and `within` apart."""
        int8 = self._int8
        bounds = int8.bounds(q[0]) if int8 is not None else None
        if bounds is None:
            return None
        upper, slack = bounds
        live = self.rows
        if masked is not None:  # a masked row can neither answer nor raise the k-th lower bound
            upper = np.where(masked, np.float32(-np.inf), upper)
            live -= int(masked.sum())
        inside = np.flatnonzero(upper > min_score)
        if inside.size > _MAX_CANDIDATE_SHARE * upper.size:
            return None
        scores = self._rescore(q, inside)
        keep = scores > np.float32(min_score)
        within_rows, within_scores = inside[keep], scores[keep]
        k = min(k, live)
        if within_rows.size >= k:  # the top k clear min_score: every one is in the range
            pool_rows, pool_scores = within_rows, within_scores
        else:
            floor = _lower_floor(upper, slack, k, min_score)
            # not rescored yet (a masked row's upper bound is -inf: kept out even when floor is -inf)
            extra = np.flatnonzero((upper >= floor) & (upper <= min_score) & (upper > -np.inf))
            pool_rows = np.concatenate([inside, extra])
            pool_scores = np.concatenate([scores, self._rescore(q, extra)])
        if pool_scores.size > 2 * k:  # sort only the scores from the k-th best up (ties included)
            best = np.flatnonzero(pool_scores >= _kth_largest(pool_scores, k))
            pool_rows, pool_scores = pool_rows[best], pool_scores[best]
        top = np.lexsort((pool_rows, -pool_scores))[:k]
        return pool_rows[top], pool_scores[top], within_rows, within_scores

    def _rescore(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """FAISS's float32 inner products of `q` with `rows`, a block of gathered rows at a time.
        `fvec_inner_products_ny` is the kernel the flat range search scores a row with (the tests check
        the bits) and runs on the calling thread: `fvec_inner_products_by_idx` would skip the gather but
        goes through an OpenMP region, which cost 3.7 ms of CPU per query against 0.6 with two threads
        on a busy 2-core machine."""
        scores = np.empty(rows.size, dtype=np.float32)
        for start in range(0, rows.size, _CHUNK):
            block = self._matrix[rows[start : start + _CHUNK]]
            scores[start : start + block.shape[0]] = self.inner_products(q, block)
        return scores

    def inner_products(self, q: np.ndarray, block: np.ndarray) -> np.ndarray:
        """FAISS's float32 inner products of `q` (shape (1, dim), contiguous) with the rows of `block`,
        by the kernel `_rescore` uses: rows kept outside this scanner score as its own would."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        out = np.empty(block.shape[0], dtype=np.float32)
        faiss = self._faiss
        faiss.fvec_inner_products_ny(
            faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(block), self.dim, block.shape[0]
        )
        return out

    def scan(self, q: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """The plain FAISS range search over every row (the reference the int8 path must equal)."""
        if self.rows == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        _, scores, rows = self._flat.range_search(q, min_score)
        return rows, scores


class _Int8Scores:
    """The int8 codes of the rows inside an ONNX Runtime session (one MatMulInteger), with each row's
    scale and error terms (float32, rounded up where they bound something)."""

    def __init__(self, session: Any, scale: np.ndarray, slack: np.ndarray, norm: np.ndarray) -> None:
        self._session = session
        self._scale = scale  # s per row
        self._slack = slack  # |e| + (gamma_d + rounding) |x| per row, to be multiplied by |q|
        self._norm = norm  # |s c| per row, to be multiplied by the query's residual |f|
        self._zero = np.array(_QUERY_ZERO, dtype=np.uint8)

    @classmethod
    def build(cls, matrix: np.ndarray) -> _Int8Scores | None:
        """Quantise `matrix` and check the kernel on it; None (plain scans) when onnxruntime is missing
        or its product is not exact here."""
        try:
            import onnxruntime
        except ImportError:
            log.info("onnxruntime is not installed: range searches scan the float32 vectors")
            return None
        n, dim = matrix.shape
        gamma = dim * 2.0**-24 / (1.0 - dim * 2.0**-24) + _ROUNDING
        codes = np.empty((n, dim), dtype=np.int8)
        scale, slack, norm = (np.empty(n, dtype=np.float64) for _ in range(3))
        for start in range(0, n, _CHUNK):
            part = slice(start, start + _CHUNK)
            rows = np.asarray(matrix[part], dtype=np.float64)
            peak = np.abs(rows).max(axis=1)
            scale[part] = np.where(peak > 0, peak / _ROW_CODE, 1.0)
            codes[part] = np.rint(rows / scale[part, None])
            decoded = codes[part] * scale[part, None]
            error = np.linalg.norm(rows - decoded, axis=1)
            norm[part] = np.linalg.norm(decoded, axis=1)
            slack[part] = error + gamma * (norm[part] + error)
        scores = cls(
            int8_product_session(onnxruntime, codes), scale.astype(np.float32), _up(slack), _up(norm)
        )
        if not scores._exact_on(codes):
            log.warning("onnxruntime's integer product is not exact on this CPU: range searches scan")
            return None
        return scores

    def _exact_on(self, codes: np.ndarray) -> bool:
        """Whether the session's products equal numpy's integer ones for extreme and random queries."""
        dim = codes.shape[1]
        probes = [np.full(dim, _QUERY_CODE), np.full(dim, -_QUERY_CODE)]
        probes.append(np.random.default_rng(0).integers(-_QUERY_CODE, _QUERY_CODE + 1, dim))
        for probe in probes:
            got = self._products((probe + _QUERY_ZERO).astype(np.uint8))
            for start in range(0, codes.shape[0], _CHUNK):
                wanted = codes[start : start + _CHUNK].astype(np.int32) @ probe.astype(np.int32)
                if not np.array_equal(wanted, got[start : start + _CHUNK]):
                    return False
        return True

    def _products(self, shifted: np.ndarray) -> np.ndarray:
        feed = {"q": shifted.reshape(1, -1), "zero": self._zero}
        return self._session.run(None, feed)[0][0]

    def bounds(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(upper bound of every row's score, half the width of its interval: the score is within
        [upper - 2 slack, upper]); None for an all-zero query."""
        exact = q.astype(np.float64)
        peak = float(np.abs(exact).max())
        if peak == 0.0:
            return None
        unit = peak / _QUERY_CODE
        codes = np.rint(exact / unit)
        residual = float(np.linalg.norm(exact - codes * unit))
        length = float(np.linalg.norm(exact))
        products = self._products((codes + _QUERY_ZERO).astype(np.uint8)).astype(np.float32)
        slack = np.float32(length) * self._slack
        slack += np.float32(residual) * self._norm
        return products * np.float32(unit) * self._scale + slack, slack

    def candidates(self, q: np.ndarray, min_score: float) -> np.ndarray | None:
        """Rows whose score may exceed `min_score` (int64, ascending); None when that is most rows or
        the query is all zeros (a plain scan then answers)."""
        bounds = self.bounds(q)
        if bounds is None:
            return None
        rows = np.flatnonzero(bounds[0] > min_score)
        if rows.size > _MAX_CANDIDATE_SHARE * bounds[0].size:
            return None
        return np.ascontiguousarray(rows, dtype=np.int64)


def _lower_floor(upper: np.ndarray, slack: np.ndarray, k: int, min_score: float) -> np.float32:
    """A value no higher than the k-th largest lower bound (`upper - 2 slack`) of the rows, which is all
    `nearest_and_within` needs of it (a lower floor only rescores more rows), without partitioning
    every row: the k-th largest lower bound among the rows whose upper bound clears a cut is no higher
    than over all rows, and equal to it once the cut is at or below it. The cut starts just under
    `min_score` and falls until k rows clear it; a whole partition answers if it never does."""
    for margin in (0.05, 0.1, 0.2, 0.4):
        near = np.flatnonzero(upper > np.float32(min_score - margin))
        if near.size >= k:
            return _kth_largest(upper[near] - 2 * slack[near], k)
    return _kth_largest(upper - 2 * slack, k)


def _kth_largest(values: np.ndarray, k: int) -> np.float32:
    """The k-th largest of `values` (1 <= k <= its size), by a partition rather than a sort."""
    return np.partition(values, values.size - k)[values.size - k]


def _up(values: np.ndarray) -> np.ndarray:
    """float64 -> float32 never rounding down (the values bound errors)."""
    down = values.astype(np.float32)
    return np.where(down < values, np.nextafter(down, np.float32(np.inf)), down).astype(np.float32)
