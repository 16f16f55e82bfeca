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
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.common import bench_settings, write_json
from engine.catalog import catalog_root, read_current, read_manifest
from engine.config import PROJECT_ROOT
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.encoder_pair",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=Path, required=True, help="the index's catalog (JSON lines)")
    parser.add_argument("--data-root", type=Path, required=True, help="copy of var/bench to switch in")
    parser.add_argument("--weights", type=Path, required=True, help="saved sentence-transformers dir")
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
        started = time.perf_counter()
        report = Builder(settings, inference, lexical).build(  # type: ignore[arg-type]
            args.products, BuildOptions(text_tower=version)
        )
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
