"""One fine-tuning run: training set, embed products, train, gate, write a version, roll out.

The training set comes from judged pairs, the click log, or both (`engine.encoder.sources`: each split
by query into training pairs, validation queries for early stopping and check queries for the gate).
Product vectors are computed once with the configured text model, which is the encoder the served index
holds, and stay fixed: the candidate and the serving tower are both scored against them. Training
warm-starts from the serving version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.config import Settings
from engine.encoder.both import train_both
from engine.encoder.data import load_product_texts
from engine.encoder.evaluate import ProductVectors
from engine.encoder.plot import plot_curve
from engine.encoder.rollout import EncoderVersionLoader, gate, roll_out
from engine.encoder.sources import Splits, TrainingSet, from_clicks, from_judgements, read_clicked_lists
from engine.encoder.thresholds import carried_thresholds
from engine.encoder.train import FinetuneConfig, finetune, query_embedder
from engine.encoder.versions import QueryEncoderStore
from engine.errors import IndexMismatch, InvalidInput, MissingDependency
from engine.events.base import EventLog
from engine.models.text_encoder import SentenceEncoder, resolve_text_model
from engine.models.tower import TowerManifest


@dataclass(frozen=True)
class FinetuneRequest:
    """`queries` + `qrels` (judged pairs) and/or `clicks` (the configured event log) as sources."""

    queries: Path | None
    qrels: Path | None
    products: Path
    pair_min_grade: float = 2.5
    negative_grade: float | None = None  # judged products at or below: their query's hard negatives
    validation_fraction: float = 0.1
    check_fraction: float = 0.2
    split_seed: int = 13
    tolerance: float = 0.0
    device: str = "cpu"
    plot: Path | None = None
    config: FinetuneConfig = field(default_factory=FinetuneConfig)
    clicks: bool = False
    click_records: int = 1_000_000
    max_negatives: int = 4
    max_weight: float = 10.0
    corpus: int = 5000  # both towers: products re-embedded for validation and the gate

    def check(self) -> None:
        if (self.queries is None) != (self.qrels is None):
            raise InvalidInput("--queries and --qrels go together")
        if self.qrels is None and not self.clicks:
            raise InvalidInput("nothing to learn from: give --queries/--qrels, --clicks, or both")
        if self.negative_grade is not None and self.negative_grade >= self.pair_min_grade:
            raise InvalidInput(
                f"--negative-grade ({self.negative_grade}) must be below --min-grade ({self.pair_min_grade})"
            )
        if self.click_records < 1 or self.max_negatives < 0 or self.max_weight < 1:
            raise InvalidInput("click records must be >= 1, negatives >= 0 and the weight cap >= 1")


def training_set(
    request: FinetuneRequest, texts: dict[str, str], event_log: Callable[[], EventLog]
) -> TrainingSet:
    splits = Splits(request.validation_fraction, request.check_fraction, request.split_seed)
    data = TrainingSet()
    if request.queries is not None and request.qrels is not None:
        data = from_judgements(
            request.queries,
            request.qrels,
            texts,
            request.pair_min_grade,
            splits,
            negative_grade=request.negative_grade,
        )
    if request.clicks:
        lists = read_clicked_lists(event_log(), request.click_records)
        data.extend(
            from_clicks(
                lists,
                texts,
                splits,
                min_grade=data.min_grade,
                max_weight=request.max_weight,
                max_negatives=request.max_negatives,
            )
        )
    return data


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
    log_source: EventLog | None = None,
) -> dict[str, Any]:
    """Train, gate and (if accepted) add a version; with `loader`, also serve it. Returns the record.

    `log_source` is the event log to read clicks from (default: the configured one, opened and closed
    here)."""
    request.check()
    store = QueryEncoderStore(settings)
    configured = store.configured_identity()
    base_dir, base_id = resolve_text_model(settings.text_model, settings.resolved_text_model())
    if (base_id.name, base_id.version) != (configured.name, configured.version):
        raise IndexMismatch(
            f"AISLE_TEXT_MODEL is {base_id.name}@{base_id.version} but the runtime query_encoder serves "
            f"{configured.name}@{configured.version}: restart Triton with the same settings first"
        )
    both = request.config.towers == "both"
    served_space = store.vectors_identity()
    if not both and served_space != configured:
        raise InvalidInput(
            f"the live vectors were embedded by {served_space.name} (a both-towers version): a query "
            "tower alone cannot be trained against them yet; fine-tune with --towers both"
        )
    texts = load_product_texts(request.products)
    opened: list[EventLog] = []

    def event_log() -> EventLog:
        if log_source is not None:
            return log_source
        from engine.events.factory import open_event_log

        opened.append(open_event_log(settings))
        return opened[-1]

    try:
        data = training_set(request, texts, event_log)
    finally:
        for each in opened:
            each.close()
    if both:
        return _finetune_both(settings, request, store, data, texts, base_dir, progress, log)
    log(
        f"{len(data.pairs)} training pairs; {len(data.validation)} validation, {len(data.check)} check "
        f"queries; embedding {len(texts)} products"
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
    result = finetune(
        model,
        data.pairs,
        products,
        data.validation,
        request.config,
        min_grade=data.min_grade,
        progress=progress,
    )
    reference = load_tower(start_dir, settings.text_max_tokens, request.device)
    verdict = gate(
        query_embedder(model),
        query_embedder(reference),
        data.check,
        products,
        min_grade=data.min_grade,
        tolerance=request.tolerance,
    )
    plot = request.plot or settings.path("learning", f"encoder-finetune-{int(time.time())}.png")
    plot_curve(result, plot)
    training, checked = {**result.to_dict(), "config": request.config.__dict__}, verdict.to_dict()
    details: dict[str, Any] = {
        "parent": serving,
        "pairs": len(data.pairs),
        "sources": data.summary,
        "training": training,
        "gate": checked,
        "plot": str(plot),
    }
    if not verdict.accepted:
        return store.rollouts.append({"action": "rejected", "version": None, **details})
    manifest = TowerManifest(
        version=0, base=served_space, parent=serving, training=training, validation=checked
    )
    queries = [p.query for p in data.pairs]
    carried = carried_thresholds(
        query_embedder(model), query_embedder(reference), queries, products, store.match_thresholds()
    )
    details["thresholds"] = carried[0]
    version = store.add(model, manifest, queries, carried)
    log(f"wrote query-encoder version {version}")
    if loader is None:
        return {"action": "written", "version": version, **details}
    return roll_out(store, loader(), version, details=details)


def _finetune_both(
    settings: Settings,
    request: FinetuneRequest,
    store: QueryEncoderStore,
    data: TrainingSet,
    texts: dict[str, str],
    base_dir: Path,
    progress: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Both towers (`engine.encoder.both`): a gated version written for re-embedding, not served."""
    log(
        f"{len(data.pairs)} training pairs; {len(data.validation)} validation, {len(data.check)} check "
        f"queries; both towers train (a sample of up to {request.corpus} products is re-embedded)"
    )

    def load(version: int) -> Any:
        weights = store.weights(version) if version in store.versions() else None
        return load_tower(weights or base_dir, settings.text_max_tokens, request.device)

    model, manifest, details = train_both(
        store,
        data,
        texts,
        load,
        request.config,
        corpus=request.corpus,
        seed=request.split_seed,
        tolerance=request.tolerance,
        progress=progress,
    )
    plot = request.plot or settings.path("learning", f"encoder-finetune-{int(time.time())}.png")
    plot_curve(details.pop("result"), plot, "both towers fine-tuning")
    details["plot"] = str(plot)
    if not details["gate"]["accepted"]:
        return store.rollouts.append({"action": "rejected", "version": None, **details})
    version = store.add(model, manifest, (p.query for p in data.pairs))
    log(f"wrote both-towers version {version}: re-embed with `indexer build CATALOG --text-tower {version}`")
    return {"action": "written", "version": version, **details}
