"""Index bodies, queries and score conversion of the OpenSearch k-NN backend (no server)."""

from __future__ import annotations

import pytest

from engine.errors import ConfigError
from engine.vectors import knn_mapping as km


def test_lucene_hnsw_index_body() -> None:
    body = km.index_body(384, km.KnnParams(m=16, ef_construction=100, ef_search=64, shards=2))
    assert body["settings"]["index.knn"] is True
    assert body["settings"]["index.knn.algo_param.ef_search"] == 64
    assert body["settings"]["number_of_shards"] == 2
    field = body["mappings"]["properties"][km.VECTOR_FIELD]
    assert field["dimension"] == 384
    assert field["method"] == {
        "name": "hnsw",
        "engine": "lucene",
        "space_type": "innerproduct",
        "parameters": {"m": 16, "ef_construction": 100},
    }
    assert body["mappings"]["properties"][km.ID_FIELD] == {"type": "keyword"}


def test_faiss_engine_takes_ef_search_and_the_fp16_encoder() -> None:
    method = km.method(km.KnnParams(engine="faiss", ef_search=99, encoder="fp16"))
    assert method["engine"] == "faiss"
    assert method["parameters"]["ef_search"] == 99
    assert method["parameters"]["encoder"] == {"name": "sq", "parameters": {"type": "fp16"}}
    assert "index.knn.algo_param.ef_search" not in km.index_body(8, km.KnnParams(engine="faiss"))["settings"]


@pytest.mark.parametrize(
    ("engine", "encoder", "variable"),
    [
        ("nmslib", "none", "AISLE_KNN_ENGINE"),
        ("lucene", "pq", "AISLE_KNN_ENCODER"),
        ("lucene", "fp16", "ENCODER"),
    ],
)
def test_bad_parameters_name_the_variable(engine: str, encoder: str, variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        km.KnnParams(engine=engine, encoder=encoder)


def test_filters_go_inside_the_knn_query() -> None:
    filter_ = km.id_filter(["a", "b"], ["c"])
    assert filter_ == {
        "bool": {
            "filter": [{"terms": {km.ID_FIELD: ["a", "b"]}}],
            "must_not": [{"terms": {km.ID_FIELD: ["c"]}}],
        }
    }
    assert km.id_filter(None, []) is None
    body = km.knn_search([0.5, 0.5], 7, filter_)
    assert body["size"] == 7
    assert body["query"]["knn"][km.VECTOR_FIELD] == {"vector": [0.5, 0.5], "k": 7, "filter": filter_}
    assert "filter" not in km.knn_search([1.0], 3, None)["query"]["knn"][km.VECTOR_FIELD]
    wide = km.knn_search([1.0], 5, None, candidates=100)  # more candidates, still 5 hits
    assert (wide["size"], wide["query"]["knn"][km.VECTOR_FIELD]["k"]) == (5, 100)
    assert km.knn_search([1.0], 5, None, candidates=20_000)["query"]["knn"][km.VECTOR_FIELD]["k"] == km.MAX_K
    exact = km.exact_search([1.0], 3, filter_)["query"]["script_score"]
    assert exact["query"] == {"bool": {"filter": [filter_]}}
    assert exact["script"]["lang"] == "knn" and exact["script"]["params"]["space_type"] == "innerproduct"


@pytest.mark.parametrize("inner_product", [-1.0, -0.5, 0.0, 0.25, 1.0])
def test_scores_convert_back_to_inner_products(inner_product: float) -> None:
    score = 1 + inner_product if inner_product >= 0 else 1 / (1 - inner_product)
    assert km.to_inner_product(score) == pytest.approx(inner_product)
