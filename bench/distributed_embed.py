"""Distributed embedding (Ray workers calling Triton) against the single-process path, on a real catalog.

Starts a local Triton with the default text encoder, embeds the first `--limit` products of a catalog
once with `indexer.embedding.encode_texts` in this process and once with `indexer.distributed` on Ray,
then reports both rates and the lowest per-product cosine between the two results (they must agree:
same encoder, same texts). Prints a table and writes JSON.

    python -m bench.distributed_embed \\
      --products ../shared/datasets/homedepot/products.jsonl --limit 4000 --workers 2 \\
      --out bench/results/distributed_embed.json

On one small machine Ray and Triton share the same cores, so the distributed rate shows the overhead,
not a speed-up; the gain comes from workers on other machines feeding a Triton fleet or a GPU.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import write_json
from engine.config import load_settings
from engine.ports import free_port
from engine.records import Product
from indexer.distributed import DistributedOptions, embed_distributed, import_ray, read_parts
from indexer.embedding import EmbedOptions, document_text, encode_texts


def load_products(path: Path, limit: int) -> list[Product]:
    products: list[Product] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if len(products) >= limit:
                break
            data = json.loads(line)
            products.append(
                Product(
                    id=str(data["id"]),
                    title=data.get("title") or "",
                    description=data.get("description") or "",
                )
            )
    return products


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=Path, required=True, help="catalog JSON lines (id, title, ...)")
    parser.add_argument("--limit", type=int, default=4000, help="products to embed")
    parser.add_argument("--workers", type=int, default=2, help="concurrent Ray tasks")
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--out", type=Path, help="results JSON")
    args = parser.parse_args()

    from engine.triton.launcher import start_triton

    with tempfile.TemporaryDirectory(prefix="aisle-bench-embed-") as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data",
            triton_url="local",
            triton_http_port=free_port(),
            triton_grpc_port=free_port(),
            triton_metrics_port=free_port(),
            triton_startup_timeout_s=300,
        )
        products = load_products(args.products, args.limit)
        ids = [p.id for p in products]
        texts = [document_text(p, settings.text_max_tokens) for p in products]
        ray = import_ray()
        started = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        ray_init_s = time.perf_counter() - started
        server = start_triton(settings)
        try:
            from engine.inference.triton import TritonInference

            encoder = TritonInference(server.grpc_url, 60.0).product_text_encoder()
            encode_texts(encoder, texts[:64])  # warm-up: model load, first batch
            started = time.perf_counter()
            single = encode_texts(encoder, texts, EmbedOptions(batch_size=64, in_flight=4))
            single_s = time.perf_counter() - started

            options = DistributedOptions(shard_size=args.shard_size, num_workers=args.workers)
            started = time.perf_counter()
            written = embed_distributed(ids, texts, server.grpc_url, Path(tmp) / "parts", options)
            distributed_s = time.perf_counter() - started
        finally:
            server.stop()
            ray.shutdown()
        got_ids, vectors = read_parts(Path(tmp) / "parts")

    assert got_ids == ids and written == len(ids)
    cosines = np.sum(single * vectors, axis=1) / (
        np.linalg.norm(single, axis=1) * np.linalg.norm(vectors, axis=1)
    )
    result = {
        "products": len(ids),
        "workers": args.workers,
        "single_process_per_s": len(ids) / single_s,
        "distributed_per_s": len(ids) / distributed_s,
        "ray_init_s": ray_init_s,
        "min_cosine": float(cosines.min()),
        "mean_cosine": float(cosines.mean()),
    }
    print(f"{'path':<22}{'products/s':>12}")
    print(f"{'single process':<22}{result['single_process_per_s']:>12.1f}")
    print(f"{'ray x' + str(args.workers):<22}{result['distributed_per_s']:>12.1f}")
    print(
        f"ray start {ray_init_s:.1f}s; cosine min {result['min_cosine']:.6f} mean {result['mean_cosine']:.6f}"
    )
    if args.out:
        write_json(args.out, result)


if __name__ == "__main__":
    main()
