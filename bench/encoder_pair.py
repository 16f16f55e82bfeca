"""Switch a both-towers encoder into a benchmark index the way a shop would: version, then re-embedding.

`bench.encoder_finetune --towers both --save-model DIR` trains one shared encoder and measures dense
nDCG@10 on its own; the full pipeline (lexical + dense + fusion + ranker through the gateway) needs the
index to serve that pair. This adds DIR to the index's runtime `query_encoder` as a both-towers version
(`QueryEncoderStore.add`, as `engine encoder finetune --towers both` writes one) and runs the indexer's
blue/green build with it (`BuildOptions(text_tower=N)`, as `indexer build CATALOG --text-tower N`): the
catalog is re-embedded through Triton, the semantic and near-match thresholds are recalibrated on the
new vectors, and `CURRENT` switches vectors and query tower together. Run it on a copy of the index
(`--data-root`), then `bench.relevance --data-root` the copy and the original side by side.

    cp -r var/bench var/bench-both
    python -m bench.encoder_pair --products ../shared/datasets/homedepot/products.jsonl \\
        --data-root var/bench-both --weights var/encoders/homedepot-both-1500

`--precomputed FILE.npy` (rows in catalog order, e.g. the `--vectors-cache` file `bench.encoder_finetune`
wrote when it re-embedded the catalog with the same weights) saves the second re-embedding on a busy
machine: a seeded sample of `--verify` products is first embedded through the Triton version itself and
must match the file (cosine >= 0.9999), then the build takes the file's rows for the texts it holds
(anything else still goes to Triton). Everything after embedding (calibration, manifest, switch) is the
indexer's own.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import bench_settings, read_queries, write_json
from engine.catalog import catalog_root, read_current, read_manifest
from engine.config import PROJECT_ROOT
from engine.encoder.data import load_product_texts
from engine.encoder.job import load_tower
from engine.encoder.versions import QueryEncoderStore
from engine.errors import AisleError
from engine.models.sources import ModelIdentity, fingerprint
from engine.models.tower import TowerManifest

RESULTS = PROJECT_ROOT / "bench" / "results"


def installed_version(store: QueryEncoderStore, weights: Path) -> int | None:
    """The both-towers version already holding `weights` (same fingerprint), so a re-run reuses it."""
    wanted = fingerprint(weights)
    for version in store.versions():
        manifest = store.manifest(version)
        if manifest is not None and manifest.embeds_products and manifest.base.version == wanted:
            return version
    return None


class Precomputed:
    """A `TextEncoder` that answers the texts of a verified vectors file and asks `inner` for others."""

    def __init__(self, inner: Any, vectors: dict[str, np.ndarray]) -> None:
        self.inner, self.vectors = inner, vectors
        self.computed = 0

    def info(self) -> Any:
        return self.inner.info()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.vectors]
        fresh = dict(zip(missing, self.inner.encode(missing), strict=True)) if missing else {}
        self.computed += len(missing)
        return np.stack([self.vectors[t] if t in self.vectors else fresh[t] for t in texts])


class WithPrecomputed:
    """The inference backend, with `version`'s product encoder answering from `vectors` first."""

    def __init__(self, inner: Any, version: int, vectors: dict[str, np.ndarray]) -> None:
        self.inner, self.version = inner, version
        self.encoder = Precomputed(inner.product_text_encoder(version), vectors)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def product_text_encoder(self, version: int | None = None) -> Any:
        return self.encoder if version == self.version else self.inner.product_text_encoder(version)


def verified_vectors(path: Path, products: Path, encoder: Any, sample: int) -> tuple[dict, float]:
    """text -> row of the file (rows in catalog order), after checking `sample` seeded rows against
    `encoder` (the Triton version); returns the map and the lowest cosine seen."""
    texts = list(load_product_texts(products).values())
    vectors = np.load(path)
    if vectors.shape[0] != len(texts):
        raise AisleError(f"{path} has {vectors.shape[0]} rows, the catalog {len(texts)} products")
    rows = sorted(random.Random(0).sample(range(len(texts)), min(sample, len(texts))))
    served = np.asarray(encoder.encode([texts[i] for i in rows]), dtype=np.float32)
    cosine = float(np.min(np.sum(served * vectors[rows], axis=1)))
    if cosine < 0.9999:
        raise AisleError(f"{path} does not match the served version (lowest cosine {cosine:.6f})")
    return {text: vectors[i] for i, text in enumerate(texts)}, cosine


def serve_query_tower(settings: Any, inference: Any, weights: Path, queries: Path | None) -> dict[str, Any]:
    """Add `weights` as a query-only version trained against the live vectors and serve it; with
    `queries` (the training queries), its match thresholds are carried over as `engine encoder
    finetune` carries them (`engine.encoder.thresholds`)."""
    from engine.encoder.rollout import roll_out
    from engine.encoder.served import live_text_vectors
    from engine.encoder.thresholds import carried_thresholds
    from engine.encoder.train import query_embedder
    from engine.models.text_encoder import resolve_text_model

    store = QueryEncoderStore(settings)
    serving = store.serving()
    manifest = TowerManifest(
        version=0, base=store.vectors_identity(), parent=serving, training={"weights": str(weights)}
    )
    model = load_tower(weights, settings.text_max_tokens, "cpu")
    carried: tuple[dict[str, float], dict[str, Any]] | None = None
    if queries is not None:
        texts = [text for _, text in read_queries(queries)]
        _, vectors = live_text_vectors(settings)
        base = resolve_text_model(settings.text_model, settings.resolved_text_model())[0]
        current = store.weights(serving) if serving is not None else None
        reference = load_tower(current or base, settings.text_max_tokens, "cpu")
        carried = carried_thresholds(
            query_embedder(model), query_embedder(reference), texts, vectors, store.match_thresholds()
        )
    version = store.add(model, manifest, (), carried)
    record = roll_out(store, inference, version, details={"weights": str(weights)})
    return {"weights": str(weights), "towers": "query", **record, "serving": store.serving()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.encoder_pair",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="the index's catalog (JSON lines)")
    parser.add_argument("--data-root", type=Path, required=True, help="copy of var/bench to switch in")
    parser.add_argument("--weights", type=Path, required=True, help="saved sentence-transformers dir")
    parser.add_argument(
        "--towers",
        choices=("both", "query"),
        default="both",
        help="both: re-embed and switch (default); query: a query-tower version rolled out by version "
        "against the unchanged vectors (as `engine encoder finetune --rollout` serves one)",
    )
    parser.add_argument(
        "--queries",
        type=Path,
        help="query: the training queries (TSV query_id, query) to carry the match thresholds over with",
    )
    parser.add_argument("--precomputed", type=Path, help="verified vectors file (rows in catalog order)")
    parser.add_argument("--verify", type=int, default=256, help="rows of --precomputed checked via Triton")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/encoder-pair-<name>)")
    args = parser.parse_args(argv)
    if not args.products.is_file():
        parser.error(f"no such file: {args.products}")
    if not (args.weights / "config.json").is_file():
        parser.error(f"{args.weights} is not a saved sentence-transformers model (no config.json)")
    from engine.inference.factory import create_inference
    from engine.lexical.factory import create_lexical
    from indexer.build import Builder, BuildOptions

    settings, _ = bench_settings(args.products, args.data_root)
    root = catalog_root(settings)
    before = read_current(root)
    if before is None:
        raise AisleError(f"no index under {settings.data_dir}: copy var/bench there first")
    inference = create_inference(settings)  # starts Triton, which writes the runtime config
    if args.towers == "query":
        try:
            record = serve_query_tower(settings, inference, args.weights, args.queries)
        finally:
            inference.close()
        write_json(args.out or RESULTS / f"encoder-pair-{args.weights.name}.json", record)
        print(json.dumps(record, indent=2))
        return 0
    try:
        store = QueryEncoderStore(settings)
        version = installed_version(store, args.weights)
        if version is None:
            manifest = TowerManifest(
                version=0,
                base=ModelIdentity("", ""),  # its own identity, set by the store
                parent=store.live_text_tower(),
                training={"weights": str(args.weights)},
                towers="both",
            )
            version = store.add(load_tower(args.weights, settings.text_max_tokens, "cpu"), manifest)
        lexical = create_lexical(settings)
        builder_inference: Any = inference
        checked: dict[str, Any] = {}
        if args.precomputed:
            inference.add_query_encoder_version(version)  # type: ignore[attr-defined]
            served = inference.product_text_encoder(version)
            vectors, cosine = verified_vectors(args.precomputed, args.products, served, args.verify)
            builder_inference = WithPrecomputed(inference, version, vectors)
            checked = {"file": str(args.precomputed), "verified_rows": args.verify, "min_cosine": cosine}
        started = time.perf_counter()
        report = Builder(settings, builder_inference, lexical).build(
            args.products, BuildOptions(text_tower=version)
        )
        if args.precomputed:
            checked["embedded_by_triton"] = builder_inference.encoder.computed
        seconds = time.perf_counter() - started
        close = getattr(lexical, "close", None)
        if callable(close):
            close()
    finally:
        inference.close()
    old, new = read_manifest(root, before), read_manifest(root, report.generation)
    record = {
        "products": str(args.products),
        "weights": str(args.weights),
        "version": version,
        "generation": {"before": before, "after": new.generation},
        "text_encoder": {"before": old.encoders["text"].__dict__, "after": new.encoders["text"].__dict__},
        "semantic_threshold": {"before": old.semantic_threshold, "after": new.semantic_threshold},
        "near_threshold": {"before": old.near_threshold, "after": new.near_threshold},
        "count": report.count,
        "reembed_build_seconds": round(seconds, 1),
        "unchanged": report.unchanged,
        "precomputed": checked or None,
    }
    out = args.out or RESULTS / f"encoder-pair-{args.weights.name}.json"
    write_json(out, record)
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AisleError as exc:
        print(f"encoder_pair: error: {exc.message}", file=sys.stderr)
        sys.exit(1)
