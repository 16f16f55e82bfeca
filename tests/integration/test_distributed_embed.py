"""Distributed embedding on a local Ray cluster against the real Triton server: the same vectors as the
single-process path, written as parts in catalog order, and a rerun that skips finished parts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.records import Product
from indexer.distributed import DistributedOptions, embed_distributed, read_parts, start_ray
from indexer.embedding import document_text, encode_texts
from tests.fixtures.triton import TritonHandle

pytestmark = pytest.mark.integration

HOMEDEPOT = Path("/work/shared/datasets/homedepot/products.jsonl")


def products(n: int) -> list[Product]:
    if HOMEDEPOT.is_file():
        with HOMEDEPOT.open(encoding="utf-8") as handle:
            rows = [json.loads(next(handle)) for _ in range(n)]
        return [Product(id=r["id"], title=r["title"], description=r.get("description") or "") for r in rows]
    return [Product(id=f"p{i}", title=f"cordless drill model {i}", brand="Acme") for i in range(n)]


def test_ray_workers_embed_like_the_single_process_path(triton_server: TritonHandle, tmp_path: Path) -> None:
    import ray

    catalog = products(45)
    ids = [p.id for p in catalog]
    texts = [document_text(p, 128) for p in catalog]
    single = encode_texts(triton_server.backend().text_encoder(), texts)

    start_ray(ray, num_cpus=2)
    try:
        options = DistributedOptions(shard_size=20, batch_size=8, in_flight=2, num_workers=2)
        assert embed_distributed(ids, texts, triton_server.grpc_url, tmp_path, options) == 45
        got_ids, vectors = read_parts(tmp_path)
        assert got_ids == ids
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            f"part-{i:05d}.{ext}" for i in range(3) for ext in ("ids.json", "npy")
        ]
        cosines = np.sum(single * vectors, axis=1) / (
            np.linalg.norm(single, axis=1) * np.linalg.norm(vectors, axis=1)
        )
        assert cosines.min() > 0.999

        # A rerun after part 1 was lost embeds only that part again.
        (tmp_path / "part-00001.ids.json").unlink()
        before = (tmp_path / "part-00000.npy").stat().st_mtime_ns
        assert embed_distributed(ids, texts, triton_server.grpc_url, tmp_path, options) == 45
        assert (tmp_path / "part-00000.npy").stat().st_mtime_ns == before
        assert read_parts(tmp_path)[0] == ids
    finally:
        ray.shutdown()
