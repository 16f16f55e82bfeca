"""One fine-tuning run from judgements: split, embed products, train, gate, write a version, roll out.

Queries are split three ways by a seeded shuffle: training pairs, validation queries (early stopping)
and check queries (the gate; never trained or selected on). Product vectors are computed once with the
configured text model, which is the encoder the served index holds, and stay fixed: the candidate and
the serving tower are both scored against them. Training warm-starts from the serving version.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.config import Settings
from engine.encoder.data import load_product_texts, pairs_for, split_queries
from engine.encoder.evaluate import EvalQuery, ProductVectors
from engine.encoder.plot import plot_curve
from engine.encoder.rollout import EncoderVersionLoader, gate, roll_out
from engine.encoder.train import FinetuneConfig, finetune, query_embedder
from engine.encoder.versions import QueryEncoderStore
from engine.errors import IndexMismatch, InvalidInput, MissingDependency
from engine.learning.offline_data import Judgements, load_judgements
from engine.models.text_encoder import SentenceEncoder, resolve_text_model
from engine.models.tower import TowerManifest


@dataclass(frozen=True)
class FinetuneRequest:
    queries: Path
    qrels: Path
    products: Path
    pair_min_grade: float = 2.5
    validation_fraction: float = 0.1
    check_fraction: float = 0.2
    split_seed: int = 13
    tolerance: float = 0.0
    device: str = "cpu"
    plot: Path | None = None
    config: FinetuneConfig = field(default_factory=FinetuneConfig)


def three_way_split(ids: Sequence[str], validation: float, check: float, seed: int) -> tuple[list[str], ...]:
    """(train, validation, check) query ids, disjoint, by a seeded shuffle."""
    if validation <= 0 or check <= 0 or validation + check >= 1:
        raise InvalidInput("validation and check fractions must be > 0 and sum to less than 1")
    rest, check_ids = split_queries(ids, 1.0 - check, seed)
    train_ids, validation_ids = split_queries(rest, 1.0 - validation / (1.0 - check), seed + 1)
    return train_ids, validation_ids, check_ids


def eval_queries(judgements: Judgements, ids: Sequence[str]) -> list[EvalQuery]:
    return [EvalQuery(qid, judgements.queries[qid], judgements.grades[qid]) for qid in ids]


def load_tower(path: Path, max_tokens: int, device: str) -> Any:
    """A trainable `SentenceTransformer` from a local directory (never downloads)."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise MissingDependency("sentence-transformers", "query-tower fine-tuning") from exc
    model = SentenceTransformer(str(path), device=device, local_files_only=True)
    model.max_seq_length = min(max_tokens, int(model.max_seq_length or max_tokens))
    return model


def run_finetune(
    settings: Settings,
    request: FinetuneRequest,
    loader: Callable[[], EncoderVersionLoader] | None = None,
    *,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Train, gate and (if accepted) add a version; with `loader`, also serve it. Returns the record."""
    store = QueryEncoderStore(settings)
    served_space = store.vectors_identity()
    base_dir, base_id = resolve_text_model(settings.text_model, settings.resolved_text_model())
    if (base_id.name, base_id.version) != (served_space.name, served_space.version):
        raise IndexMismatch(
            f"AISLE_TEXT_MODEL is {base_id.name}@{base_id.version} but the runtime query_encoder serves "
            f"{served_space.name}@{served_space.version}: restart Triton with the same settings first"
        )
    judgements = load_judgements(request.queries, request.qrels)
    texts = load_product_texts(request.products)
    train_ids, validation_ids, check_ids = three_way_split(
        judgements.judged_queries(), request.validation_fraction, request.check_fraction, request.split_seed
    )
    pairs = pairs_for(judgements, train_ids, texts, request.pair_min_grade)
    log(
        f"{len(pairs)} training pairs from {len(train_ids)} queries; {len(validation_ids)} validation, "
        f"{len(check_ids)} check queries; embedding {len(texts)} products"
    )
    product_encoder = SentenceEncoder(
        base_dir,
        settings.text_max_tokens,
        runtime=settings.text_runtime,
        onnx_cache=settings.path("models", "onnx"),
    )
    ids = tuple(texts)
    products = ProductVectors(ids, np.ascontiguousarray(product_encoder.encode([texts[i] for i in ids])))
    serving = store.serving()
    start_dir = (store.weights(serving) if serving is not None else None) or base_dir
    model = load_tower(start_dir, settings.text_max_tokens, request.device)
    min_grade = judgements.min_grade
    validation = eval_queries(judgements, validation_ids)
    result = finetune(
        model, pairs, products, validation, request.config, min_grade=min_grade, progress=progress
    )
    reference = load_tower(start_dir, settings.text_max_tokens, request.device)
    verdict = gate(
        query_embedder(model),
        query_embedder(reference),
        eval_queries(judgements, check_ids),
        products,
        min_grade=min_grade,
        tolerance=request.tolerance,
    )
    plot = request.plot or settings.path("learning", f"encoder-finetune-{int(time.time())}.png")
    plot_curve(result, plot)
    training, checked = {**result.to_dict(), "config": request.config.__dict__}, verdict.to_dict()
    details: dict[str, Any] = {
        "parent": serving,
        "pairs": len(pairs),
        "training": training,
        "gate": checked,
        "plot": str(plot),
    }
    if not verdict.accepted:
        return store.rollouts.append({"action": "rejected", "version": None, **details})
    manifest = TowerManifest(
        version=0, base=served_space, parent=serving, training=training, validation=checked
    )
    version = store.add(model, manifest)
    log(f"wrote query-encoder version {version}")
    if loader is None:
        return {"action": "written", "version": version, **details}
    return roll_out(store, loader(), version, details=details)
