"""Both towers: one shared encoder fine-tuned on the query and the product side.

The result is a `query_encoder` version that embeds products as well (its manifest says
`towers="both"` and names its own space), so it never serves against the vectors that are live: it
is written, not rolled out, and goes live only with a vector generation it embedded itself
(`indexer build CATALOG --text-tower N`, blue/green: the old pair serves until `CURRENT` switches;
`indexer rollback` restores the previous pair).

Training warm-starts from the live generation's product tower (the configured model, or the
both-towers version that embedded the live vectors). Validation and the gate need the products in
each candidate's own space, and re-embedding a whole catalog at every validation is out of reach on a
CPU, so they use a corpus sample: every judged product of the validation and check queries plus
seeded random others up to `corpus` products. The gate compares the candidate pair (its queries against
the sample embedded by itself) with the serving pair (the serving query tower against the sample
embedded by the live product tower).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from engine.encoder.evaluate import EvalQuery, ProductVectors
from engine.encoder.rollout import gate
from engine.encoder.sources import TrainingSet
from engine.encoder.train import FinetuneConfig, finetune, query_embedder
from engine.encoder.versions import QueryEncoderStore
from engine.models.sources import ModelIdentity
from engine.models.tower import TowerManifest


def sample_corpus(
    texts: Mapping[str, str], queries: Sequence[EvalQuery], size: int, seed: int
) -> tuple[str, ...]:
    """Every product judged for `queries` (in the catalog) plus seeded random others up to `size`."""
    judged = {pid for q in queries for pid in q.grades if pid in texts}
    others = sorted(set(texts) - judged)
    extra = random.Random(seed).sample(others, max(0, min(len(others), size - len(judged))))
    return tuple(sorted(judged | set(extra)))


def embed_corpus(model: Any, ids: Sequence[str], texts: Mapping[str, str]) -> ProductVectors:
    """`ids` embedded by `model` (a `SentenceTransformer`) as its product tower."""
    return ProductVectors(tuple(ids), query_embedder(model)([texts[i] for i in ids]))


def train_both(
    store: QueryEncoderStore,
    data: TrainingSet,
    texts: Mapping[str, str],
    load: Callable[[int], Any],
    config: FinetuneConfig,
    *,
    corpus: int,
    seed: int,
    tolerance: float,
    progress: bool = False,
) -> tuple[Any, TowerManifest, dict[str, Any]]:
    """Train and gate; returns (model, manifest to write if accepted, details with the verdict).

    `load(version)` loads the weights of a kept version (1: the configured model) for training."""
    tower = store.live_text_tower()
    serving = store.serving() or tower
    ids = sample_corpus(texts, [*data.validation, *data.check], corpus, seed)
    placeholder = ProductVectors(ids, np.zeros((len(ids), 1), dtype=np.float32))  # re-embedded
    model = load(tower)
    both = FinetuneConfig(**{**config.__dict__, "towers": "both"})
    result = finetune(
        model,
        data.pairs,
        placeholder,
        data.validation,
        both,
        min_grade=data.min_grade,
        progress=progress,
        product_texts=texts,
    )
    live_products = load(tower)
    queries = live_products if serving == tower else load(serving)
    verdict = gate(
        query_embedder(model),
        query_embedder(queries),
        data.check,
        embed_corpus(model, ids, texts),
        min_grade=data.min_grade,
        tolerance=tolerance,
        serving_products=embed_corpus(live_products, ids, texts),
    )
    training = {**result.to_dict(), "config": both.__dict__, "corpus_sample": len(ids)}
    details: dict[str, Any] = {
        "towers": "both",
        "parent": tower,
        "pairs": len(data.pairs),
        "sources": data.summary,
        "training": training,
        "gate": verdict.to_dict(),
        "result": result,
    }
    manifest = TowerManifest(
        version=0,
        base=ModelIdentity("", ""),  # its own identity, set when the version is written
        parent=tower,
        training=training,
        validation=verdict.to_dict(),
        towers="both",
    )
    return model, manifest, details
