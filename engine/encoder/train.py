"""Contrastive fine-tuning of the query tower against fixed product vectors, or of both towers.

Loss per batch of (query, positive product) pairs: softmax cross-entropy of each query over the batch's
products (in-batch negatives, the MultipleNegativesRanking objective) plus the products the batch's
queries were shown and passed over (hard negatives from the click log), on cosine similarities times
`scale`; each pair's term is scaled by its weight (inverse propensity for a click). Products are the
*serving* product vectors, not re-encoded: only the query tower moves, so a trained version scores
against the index that is already built. A product that is a positive of the same query (or the same
product twice in a batch) is masked out of the negatives.

An anchor term `anchor * ||theta - theta_0||^2` holds the weights near where training started, so a small
or skewed batch of pairs cannot make the tower forget what it knew. AdamW with linear warmup then linear
decay; validation nDCG@10 on query-disjoint pairs every `eval_every` steps; training stops after
`patience` evaluations without improvement, and the best weights seen (possibly the starting ones) are
what the model holds at the end.

`towers="both"` trains one shared encoder on both sides: the batch's product texts go through the same
trainable model as the queries (so the products' space moves too), and validation re-embeds the
validation corpus with the current weights at every evaluation. The result only serves together with
product vectors it computed itself (a new vector generation, `indexer reembed`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.encoder.data import Pair
from engine.encoder.evaluate import EvalQuery, ProductVectors, QueryEncode, dense_ndcg
from engine.errors import InvalidInput

TOWERS = ("query", "both")


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 1
    batch_size: int = 64
    lr: float = 3e-5
    warmup: float = 0.1
    weight_decay: float = 0.01
    scale: float = 20.0
    anchor: float = 0.1
    eval_every: int = 50
    patience: int = 3
    max_steps: int = 0  # 0 = no limit beyond the epochs
    seed: int = 0
    k: int = 10
    restore_best: bool = True  # False: end with the last weights, not the best validated ones
    towers: str = "query"  # "query": products fixed; "both": one shared encoder for queries and products

    def check(self) -> None:
        if self.towers not in TOWERS:
            raise InvalidInput(f"towers must be one of {', '.join(TOWERS)}, got {self.towers!r}")
        if self.epochs < 1 or self.batch_size < 2 or self.eval_every < 1 or self.patience < 1:
            raise InvalidInput("epochs, eval-every and patience must be >= 1 and batch size >= 2")
        if self.lr <= 0 or not 0.0 <= self.warmup < 1.0 or self.anchor < 0 or self.scale <= 0:
            raise InvalidInput("lr and scale must be > 0, warmup in [0, 1), anchor >= 0")


@dataclass
class FinetuneResult:
    losses: list[float] = field(default_factory=list)
    evals: list[tuple[int, float]] = field(default_factory=list)
    best_step: int = 0
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def start_ndcg(self) -> float:
        return self.evals[0][1]

    @property
    def best_ndcg(self) -> float:
        return max(value for _, value in self.evals)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": len(self.losses),
            "best_step": self.best_step,
            "start_ndcg": self.start_ndcg,
            "best_ndcg": self.best_ndcg,
            "stopped_early": self.stopped_early,
            "seconds": round(self.seconds, 1),
            "evals": self.evals,
        }


def query_embedder(model: Any, batch_size: int = 256) -> Callable[[Sequence[str]], np.ndarray]:
    """Inference with the model's current weights (eval mode, no gradients), for validation."""
    import torch

    def encode(texts: Sequence[str]) -> np.ndarray:
        model.eval()
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                out.append(_forward(model, texts[start : start + batch_size]).cpu().numpy())
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 0), np.float32)

    return encode


def _forward(model: Any, texts: Sequence[str]) -> Any:
    import torch

    prepare = getattr(model, "preprocess", None) or model.tokenize  # `tokenize` before 5.x
    features = prepare(list(texts))
    features = {k: v.to(model.device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)


def _batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    order = list(pairs)
    rng.shuffle(order)
    return [order[i : i + size] for i in range(0, len(order) - 1, size) if len(order[i : i + size]) > 1]


def finetune(
    model: Any,
    pairs: Sequence[Pair],
    products: ProductVectors,
    validation: Sequence[EvalQuery],
    config: FinetuneConfig,
    *,
    min_grade: float = 1.0,
    progress: bool = False,
    product_texts: Mapping[str, str] | None = None,
) -> FinetuneResult:
    """Train `model` (a `SentenceTransformer`, changed in place) on `pairs`; returns the curves.

    With `config.towers == "both"`, `product_texts` (id -> text) feeds the product side and must cover
    every pair's products and `products.ids`; `products.vectors` is then ignored (re-embedded)."""
    import torch

    config.check()
    texts: Mapping[str, str] | None = None
    if config.towers == "both":
        texts = _check_texts(product_texts, pairs, products.ids)
    if len(pairs) < 2:
        raise InvalidInput(f"need at least 2 training pairs, got {len(pairs)}")
    if not validation:
        raise InvalidInput("no validation queries with judgements")
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    anchor = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    epochs = [_batches(pairs, config.batch_size, rng) for _ in range(config.epochs)]
    total = sum(len(batches) for batches in epochs)
    if config.max_steps:
        total = min(total, config.max_steps)
    warmup = int(total * config.warmup)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: (
            (step + 1) / warmup if step < warmup else max(0.0, (total - step) / max(1, total - warmup))
        ),
    )
    encode = query_embedder(model)
    result = FinetuneResult()

    best: dict[str, Any] = {"ndcg": float("-inf")}

    def evaluate(step: int) -> bool:
        """Record validation nDCG, keep the best weights; True when patience is used up."""
        corpus = products if texts is None else _reembed(encode, products.ids, texts)
        value = dense_ndcg(encode, validation, corpus, config.k, min_grade)
        result.evals.append((step, value))
        if value > best["ndcg"]:
            best.update(ndcg=value, state={k: v.detach().clone() for k, v in model.state_dict().items()})
            result.best_step = step
        return sum(1 for s, _ in result.evals if s > result.best_step) >= config.patience

    evaluate(0)
    if "state" not in best:
        raise InvalidInput("no validation query has a defined nDCG (every judged grade is the minimum)")
    bar = _bar(total, progress)
    step = 0
    for batches in epochs:
        for batch in batches:
            if step >= total:
                break
            model.train()
            loss = _step_loss(model, batch, products, config, params, anchor, texts)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            result.losses.append(float(loss.item()))
            bar.update(1)
            bar.set_postfix(loss=f"{result.losses[-1]:.3f}", ndcg=f"{result.evals[-1][1]:.4f}")
            if step % config.eval_every == 0 and step < total and evaluate(step):
                result.stopped_early = True
                break
        if result.stopped_early:
            break
    if not result.stopped_early and result.evals[-1][0] != step:
        evaluate(step)
    bar.close()
    if config.restore_best:
        model.load_state_dict(best["state"])
    result.seconds = time.perf_counter() - started
    return result


def _step_loss(
    model: Any,
    batch: Sequence[Pair],
    products: ProductVectors,
    config: FinetuneConfig,
    params: Sequence[Any],
    anchor: Sequence[Any],
    texts: Mapping[str, str] | None = None,
) -> Any:
    """The batch's loss; `texts` (both towers) embeds its products with the model being trained."""
    import torch

    queries = _forward(model, [p.query for p in batch])
    columns, blocked = _columns(batch)
    if texts is None:
        targets = torch.from_numpy(products.rows(columns)).to(queries.device)
    else:
        targets = _forward(model, [texts[c] for c in columns])
    logits = config.scale * queries @ targets.T
    logits = logits.masked_fill(torch.tensor(blocked, device=logits.device), float("-inf"))
    labels = torch.arange(len(batch), device=logits.device)
    per_pair = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    weights = torch.tensor([p.weight for p in batch], dtype=per_pair.dtype, device=per_pair.device)
    loss = (weights * per_pair).sum() / weights.sum()
    if config.anchor > 0:
        drift = sum(((p - p0) ** 2).sum() for p, p0 in zip(params, anchor, strict=True))
        loss = loss + config.anchor * drift
    return loss


def _check_texts(
    texts: Mapping[str, str] | None, pairs: Sequence[Pair], corpus: Sequence[str]
) -> Mapping[str, str]:
    if texts is None:
        raise InvalidInput("training both towers needs the product texts")
    needed = {p.product_id for p in pairs} | {n for p in pairs for n in p.negatives} | set(corpus)
    missing = sorted(needed - set(texts))
    if missing:
        raise InvalidInput(f"{len(missing)} products have no text (first: {missing[0]})")
    return texts


def _reembed(encode: QueryEncode, ids: Sequence[str], texts: Mapping[str, str]) -> ProductVectors:
    """The validation corpus in the space of the weights being trained (both towers)."""
    return ProductVectors(tuple(ids), encode([texts[i] for i in ids]))


def _columns(batch: Sequence[Pair]) -> tuple[list[str], list[list[bool]]]:
    """The products a batch scores (its positives in order, then its pairs' shown-but-passed-over
    products) and, per pair, the columns that must not count as its negatives: another pair's product
    that is this query's own positive (same query or same product)."""
    positives = [p.product_id for p in batch]
    extra = sorted({n for p in batch for n in p.negatives} - set(positives))
    columns = positives + extra
    own: dict[str, set[str]] = {}
    for p in batch:
        own.setdefault(p.query_id, set()).add(p.product_id)
    blocked = [
        [j != i and (pid == pair.product_id or pid in own[pair.query_id]) for j, pid in enumerate(columns)]
        for i, pair in enumerate(batch)
    ]
    return columns, blocked


class _NoBar:
    def update(self, n: int) -> None: ...
    def set_postfix(self, **values: str) -> None: ...
    def close(self) -> None: ...


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="fine-tuning", unit="step")
