"""Index settings, mappings and query bodies of the OpenSearch k-NN vector backend.

Layout: one index per embedding space (`<alias>-vectors-text`, `<alias>-vectors-image`), each an alias
over a physical index rebuilt as a whole. Separate indexes rather than two fields of one document
because the spaces differ in dimension and coverage (a product without an image has no CLIP vector),
and each can be rebuilt, tuned (engine, `m`) and sharded on its own.

Method: HNSW with inner product on L2-normalised vectors (cosine). Two engines:

    lucene   pure Java, runs on any node with the plugin (also the plugin zip from Maven Central, which
             carries no native libraries). Efficient filtering: it switches to exact scoring when the
             filter is selective, so a filtered query returns k hits when k match.
    faiss    the native library: faster builds and searches on large indexes, and the fp16 scalar
             quantiser (`encoder="fp16"`) halves vector memory without a training step. Needs the
             JNI libraries of the full OpenSearch distribution; a node without them dies on the
             first segment flush (UnsatisfiedLinkError), so it is never a silent default.

IVF and PQ (faiss) need the k-NN train API and a trained model per index; they pay only from tens of
millions of vectors per node, where HNSW's graph and float vectors no longer fit in memory (about
1.8 GB per million 384-d vectors). Below that HNSW is both faster and more accurate; see
docs/scaleout.md.

Scores: for `innerproduct` OpenSearch reports `1 + ip` when ip >= 0 and `1 / (1 - ip)` otherwise (both
the approximate query and the `knn_score` exact script); `to_inner_product` inverts that so callers see
the same cosine as from the FAISS store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import ConfigError

ENGINES = ("lucene", "faiss")
ENCODERS = ("none", "fp16")
VECTOR_FIELD = "vector"
ID_FIELD = "product_id"
SPACE_TYPE = "innerproduct"
MAX_K = 10_000  # the k-NN plugin's limit on k and OpenSearch's default result window
MAX_TERMS = 50_000  # below index.max_terms_count (65,536): larger id filters are split


@dataclass(frozen=True)
class KnnParams:
    """How a vectors index is built. `ef_search` is an index setting (it can be changed live)."""

    engine: str = "lucene"
    m: int = 32
    ef_construction: int = 200
    ef_search: int = 128
    encoder: str = "none"
    shards: int = 1
    replicas: int = 0
    refresh_interval: str = "1s"

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"AISLE_KNN_ENGINE: expected one of {ENGINES}, got {self.engine!r}")
        if self.encoder not in ENCODERS:
            raise ConfigError(f"AISLE_KNN_ENCODER: expected one of {ENCODERS}, got {self.encoder!r}")
        if self.encoder != "none" and self.engine != "faiss":
            raise ConfigError("AISLE_KNN_ENCODER: the fp16 encoder needs AISLE_KNN_ENGINE=faiss")


def method(params: KnnParams) -> dict[str, Any]:
    parameters: dict[str, Any] = {"m": params.m, "ef_construction": params.ef_construction}
    if params.engine == "faiss":
        parameters["ef_search"] = params.ef_search
        if params.encoder == "fp16":
            parameters["encoder"] = {"name": "sq", "parameters": {"type": "fp16"}}
    return {"name": "hnsw", "engine": params.engine, "space_type": SPACE_TYPE, "parameters": parameters}


def index_body(dim: int, params: KnnParams) -> dict[str, Any]:
    """Settings and mappings of a physical vectors index of dimension `dim`."""
    settings: dict[str, Any] = {
        "index.knn": True,
        "number_of_shards": params.shards,
        "number_of_replicas": params.replicas,
        "refresh_interval": params.refresh_interval,
    }
    if params.engine != "faiss":
        settings["index.knn.algo_param.ef_search"] = params.ef_search
    return {
        "settings": settings,
        "mappings": {
            "dynamic": "strict",
            "properties": {
                ID_FIELD: {"type": "keyword"},
                VECTOR_FIELD: {"type": "knn_vector", "dimension": dim, "method": method(params)},
            },
        },
    }


def id_filter(allowed: list[str] | None, exclude: list[str]) -> dict[str, Any] | None:
    """The filter of a k-NN query: eligible ids minus excluded ones (None: everything)."""
    clauses: dict[str, Any] = {}
    if allowed is not None:
        clauses["filter"] = [{"terms": {ID_FIELD: allowed}}]
    if exclude:
        clauses["must_not"] = [{"terms": {ID_FIELD: exclude}}]
    return {"bool": clauses} if clauses else None


def knn_search(
    vector: list[float], k: int, filter_: dict[str, Any] | None, candidates: int = 0
) -> dict[str, Any]:
    """Approximate search with efficient filtering (the filter is applied inside the graph search).

    The query's `k` is the number of candidates the graph search keeps (Lucene's HNSW has no other
    ef_search knob), so it asks for max(k, candidates) and returns the best `k` (`size`)."""
    clause: dict[str, Any] = {"vector": vector, "k": min(max(k, candidates), MAX_K)}
    if filter_ is not None:
        clause["filter"] = filter_
    return {"size": k, "_source": False, "query": {"knn": {VECTOR_FIELD: clause}}}


def exact_search(vector: list[float], k: int, filter_: dict[str, Any] | None) -> dict[str, Any]:
    """Exact scoring of every eligible vector with the plugin's `knn_score` script."""
    return {
        "size": k,
        "_source": False,
        "query": {
            "script_score": {
                "query": {"bool": {"filter": [filter_]}} if filter_ else {"match_all": {}},
                "script": {
                    "source": "knn_score",
                    "lang": "knn",
                    "params": {"field": VECTOR_FIELD, "query_value": vector, "space_type": SPACE_TYPE},
                },
            }
        },
    }


def to_inner_product(score: float) -> float:
    """Invert OpenSearch's innerproduct score transform (see the module docstring)."""
    return score - 1.0 if score >= 1.0 else 1.0 - 1.0 / score
