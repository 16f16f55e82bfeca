"""Encoder fine-tuning from judgements: dense nDCG@10 on held-out queries before and after.

The judged queries are split in half by a seeded shuffle (query-disjoint): the tower trains on the pairs
(grade >= --min-grade) of the first half, with 10% of that half kept for early stopping, and is scored
on the second half. With `--towers query` product vectors are computed once with the unchanged model
and stay fixed, as in serving (only the query tower is trained). With `--towers both` one shared
encoder trains on both sides (validation re-embeds a --validation-corpus sample at every evaluation),
the whole corpus is then re-embedded with it and the held-out queries are scored against those vectors,
as a both-towers version serves after its vector generation is switched in. Reports time (embedding,
training, re-embedding) and peak memory; `--save-model` keeps the trained weights and `--vectors-cache`
every corpus embedding (keyed by the weights' fingerprint).

The corpus is the whole products file unless --max-products is given: then it is every judged product
of the queries used plus seeded random others up to that size (smaller corpus = easier retrieval, so
such numbers are not comparable to the full-corpus relevance benchmark; the JSON records the size).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import add_judged_dataset_args, print_table, write_json
from engine.config import PROJECT_ROOT, load_settings
from engine.encoder.data import load_product_texts, pairs_for, split_queries
from engine.encoder.evaluate import ProductVectors, dense_ndcg
from engine.encoder.job import load_tower
from engine.encoder.plot import plot_curve
from engine.encoder.served import live_text_vectors
from engine.encoder.sources import eval_queries
from engine.encoder.train import TOWERS, FinetuneConfig, finetune, query_embedder
from engine.errors import AisleError
from engine.learning.offline_data import load_judgements
from engine.models.sources import fingerprint
from engine.models.text_encoder import SentenceEncoder, resolve_text_model

RESULTS = PROJECT_ROOT / "bench" / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_judged_dataset_args(parser)
    parser.add_argument("--name", default="homedepot", help="label for the result files")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--min-grade", type=float, default=2.5, help="grade a training pair needs")
    parser.add_argument(
        "--negative-grade",
        type=float,
        help="judged products graded at or below this are their query's hard negatives (default: none)",
    )
    parser.add_argument("--max-train-queries", type=int, default=0, help="subsample the training half")
    parser.add_argument("--max-eval-queries", type=int, default=0, help="subsample the evaluation half")
    parser.add_argument("--max-products", type=int, default=0, help="corpus size (0: every product)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--anchor", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=25)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--towers", choices=TOWERS, default="query", help="what trains (default query)")
    parser.add_argument(
        "--validation-corpus",
        type=int,
        default=3000,
        help="both towers: products re-embedded at each validation (judged ones + random others)",
    )
    parser.add_argument(
        "--index-vectors",
        type=Path,
        help="a built index's data directory (e.g. var/bench/<key>): the unchanged model's product "
        "vectors are read from its live generation (the vectors that serve) instead of embedded here",
    )
    parser.add_argument("--save-model", type=Path, help="directory to save the trained weights in")
    parser.add_argument(
        "--vectors-cache",
        type=Path,
        help="directory keeping the base product vectors between runs (keyed by encoder and corpus)",
    )
    return parser.parse_args(argv)


def base_vectors(
    model_dir: Path, version: str, corpus: list[str], texts: dict[str, str], args: argparse.Namespace
) -> np.ndarray:
    """The unchanged encoder's product vectors, from `--vectors-cache` when it holds this corpus."""
    key = hashlib.sha256("\n".join([version, str(args.max_tokens), *corpus]).encode()).hexdigest()[:16]
    cached = args.vectors_cache / f"products-{key}.npy" if args.vectors_cache else None
    if cached is not None and cached.is_file():
        return np.load(cached)
    encoder = SentenceEncoder(model_dir, args.max_tokens, runtime="auto")
    items = [texts[p] for p in corpus]
    vectors = encoder.onnx.encode(items, progress=True) if encoder.onnx else encoder.encode(items)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, vectors)
    return vectors


def index_vectors(data_dir: Path, version: str, corpus: list[str]) -> np.ndarray:
    """The live generation's text vectors of `corpus` under `data_dir` (rows in corpus order);
    `AisleError` when another encoder version embedded them."""
    built, vectors = live_text_vectors(load_settings(data_dir=data_dir), corpus)
    if built != version:
        raise AisleError(f"{data_dir} holds vectors of encoder version {built}, not of {version}")
    return vectors.vectors


def validation_corpus(
    products: ProductVectors, needed: set[str], size: int, rng: random.Random
) -> ProductVectors:
    """Both towers: the products validation re-embeds (every judged one plus random others)."""
    others = sorted(set(products.ids) - needed)
    ids = sorted(needed | set(rng.sample(others, max(0, min(len(others), size - len(needed))))))
    return ProductVectors(tuple(ids), products.rows(ids))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    judgements = load_judgements(args.queries, args.qrels)
    texts = load_product_texts(args.products)
    train_half, eval_half = split_queries(judgements.judged_queries(), 0.5, args.seed)
    rng = random.Random(args.seed)
    if args.max_train_queries:
        train_half = rng.sample(train_half, min(args.max_train_queries, len(train_half)))
    if args.max_eval_queries:
        eval_half = rng.sample(eval_half, min(args.max_eval_queries, len(eval_half)))
    train_ids, validation_ids = split_queries(train_half, 0.9, args.seed + 1)
    corpus = list(texts)
    if args.max_products and args.max_products < len(corpus):
        needed = {p for q in train_half + eval_half for p in judgements.grades[q] if p in texts}
        others = sorted(set(corpus) - needed)
        extra = rng.sample(others, max(0, min(len(others), args.max_products - len(needed))))
        corpus = sorted(needed | set(extra))
    pairs = pairs_for(judgements, train_ids, texts, args.min_grade, args.negative_grade)
    print(
        f"{len(pairs)} pairs from {len(train_ids)} queries, {len(validation_ids)} validation queries, "
        f"{len(eval_half)} evaluation queries, corpus {len(corpus)} products",
        file=sys.stderr,
    )

    settings = load_settings()
    model_dir, identity = resolve_text_model(settings.text_model, settings.resolved_text_model())
    t0 = time.perf_counter()
    fixed = (
        index_vectors(args.index_vectors, identity.version, corpus)
        if args.index_vectors
        else base_vectors(model_dir, identity.version, corpus, texts, args)
    )
    products = ProductVectors(tuple(corpus), fixed)
    embed_s = time.perf_counter() - t0

    model = load_tower(model_dir, args.max_tokens, "cpu")
    min_grade = judgements.min_grade
    evaluation = eval_queries(judgements, eval_half)
    before = dense_ndcg(query_embedder(model), evaluation, products, 10, min_grade)
    validation = eval_queries(judgements, validation_ids)
    checked = products
    if args.towers == "both":
        judged = {p for q in validation_ids for p in judgements.grades[q] if p in texts}
        checked = validation_corpus(products, judged, args.validation_corpus, rng)
    config = FinetuneConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        anchor=args.anchor,
        eval_every=args.eval_every,
        patience=args.patience,
        seed=args.seed,
        towers=args.towers,
    )
    result = finetune(
        model,
        pairs,
        checked,
        validation,
        config,
        min_grade=min_grade,
        progress=True,
        product_texts=texts,
    )
    train_peak = peak_mib = peak_rss_mib()
    reembed_s = 0.0
    served = products
    if args.save_model or args.towers == "both":
        saved = args.save_model or Path(tempfile.mkdtemp(prefix="encoder-finetune-"))
        model.save(str(saved))
        if args.towers == "both":
            t0 = time.perf_counter()
            vectors = base_vectors(saved, fingerprint(saved), corpus, texts, args)
            served = ProductVectors(tuple(corpus), vectors)
            reembed_s = time.perf_counter() - t0
            peak_mib = peak_rss_mib()
    after = dense_ndcg(query_embedder(model), evaluation, served, 10, min_grade)
    stem = f"encoder-finetune-{args.name}"
    title = "query tower" if args.towers == "query" else "both towers"
    plot = plot_curve(result, RESULTS / f"{stem}.png", f"{title} fine-tuning ({args.name})")
    report = {
        "dataset": {"queries": str(args.queries), "qrels": str(args.qrels), "products": str(args.products)},
        "encoder": {"name": identity.name, "version": identity.version},
        "split": {
            "seed": args.seed,
            "train_queries": len(train_ids),
            "validation_queries": len(validation_ids),
            "eval_queries": len(eval_half),
            "pairs": len(pairs),
            "negative_grade": args.negative_grade,
            "hard_negatives": sum(len(p.negatives) for p in pairs),
            "corpus": len(corpus),
        },
        "config": config.__dict__,
        "towers": args.towers,
        "saved_model": str(args.save_model) if args.save_model else None,
        "dense_ndcg10": {"before": before, "after": after, "delta": after - before},
        "training": result.to_dict(),
        "seconds": {
            "embed_products": round(embed_s, 1),
            "train": round(result.seconds, 1),
            "reembed_products": round(reembed_s, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        "peak_rss_mib": round(peak_mib),
        "peak_rss_mib_after_training": round(train_peak),
        "torch_threads": torch.get_num_threads(),
        "plot": str(plot.relative_to(PROJECT_ROOT)),
    }
    write_json(RESULTS / f"{stem}.json", report)
    print_table(
        [
            "eval queries",
            "pairs",
            "corpus",
            "nDCG@10 before",
            "after",
            "delta",
            "steps",
            "train s",
            "peak MiB",
        ],
        [
            [
                len(eval_half),
                len(pairs),
                len(corpus),
                f"{before:.4f}",
                f"{after:.4f}",
                f"{after - before:+.4f}",
                len(result.losses),
                f"{result.seconds:.0f}",
                f"{peak_mib:.0f}",
            ]
        ],
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AisleError as exc:
        print(f"encoder_finetune: error: {exc.message}", file=sys.stderr)
        sys.exit(1)
