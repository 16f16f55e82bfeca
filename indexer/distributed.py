"""The indexer's embedding step as a distributed batch job on Ray.

Why: one indexer process keeps one Triton server busy; a catalog of tens of millions of products is
embedded faster by many workers on many machines feeding a Triton fleet (or one GPU Triton that one
client cannot saturate). The job is embarrassingly parallel, so Ray tasks are enough: the catalog is cut
into shards, each task embeds one shard with its own gRPC client to Triton (`TritonInference`, created
inside the worker: gRPC channels do not survive pickling) and writes the shard's vectors and ids
itself, so no vectors travel back through the driver.

Output layout (`out_dir`), one pair per shard, read back in catalog order by `read_parts`:

    part-00000.npy        float32 (n, dim), L2-normalised, rows in the shard's id order
    part-00000.ids.json   the product ids of those rows

A rerun skips shards whose pair is complete (a killed job resumes); a worker that fails is retried by
Ray (`max_retries`) and the job raises if a shard still fails. The vectors are the same as the
single-process path's (`indexer.embedding.encode_texts` with the same encoder), which
bench/distributed_embed.py checks.

Ray runs as a local cluster when no address is given (`ray.init()` on this machine's cores) or joins
an existing one with `address="ray://..."` / `"auto"`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import BackendUnavailable, MissingDependency
from engine.storage import atomic_file


@dataclass(frozen=True)
class DistributedOptions:
    """`shard_size` products per task; `batch_size`/`in_flight` as in `EmbedOptions` (per worker)."""

    shard_size: int = 2048
    batch_size: int = 64
    in_flight: int = 4
    num_workers: int | None = None  # concurrent tasks; None = one per CPU Ray sees
    max_retries: int = 2
    timeout_s: float = 60.0


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingDependency("ray", "distributed embedding") from exc
    return ray


def start_ray(ray: Any, address: str | None = None, attempts: int = 3, **options: Any) -> None:
    """`ray.init` that tries again when a local node misses Ray's fixed 30 s startup window: on a busy
    machine the raylet can register late, and a second start is far cheaper than a failed build."""
    options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False} | options
    for attempt in range(1, attempts + 1):
        try:
            ray.init(address=address, **options)
            return
        except Exception as exc:  # Ray raises a bare Exception for a startup timeout
            ray.shutdown()
            if attempt == attempts or "timed out during startup" not in str(exc):
                raise


def _part(out_dir: Path, index: int) -> tuple[Path, Path]:
    return out_dir / f"part-{index:05d}.npy", out_dir / f"part-{index:05d}.ids.json"


def _write_atomically(path: Path, write: Any) -> None:
    with atomic_file(path, "wb") as handle:
        write(handle)


def embed_shard(
    triton_url: str, ids: list[str], texts: list[str], out_dir: str, index: int, options: DistributedOptions
) -> int:
    """Embed one shard through Triton and write its pair of files (vectors first, ids last: the ids
    file marks the shard complete). Runs inside a Ray worker; returns the number of rows."""
    from engine.inference.triton import TritonInference
    from indexer.embedding import EmbedOptions, encode_texts

    encoder = TritonInference(triton_url, options.timeout_s).product_text_encoder()
    vectors = encode_texts(encoder, texts, EmbedOptions(options.batch_size, options.in_flight))
    vectors_path, ids_path = _part(Path(out_dir), index)
    _write_atomically(vectors_path, lambda h: np.save(h, vectors.astype(np.float32), allow_pickle=False))
    _write_atomically(ids_path, lambda h: h.write(json.dumps(ids).encode()))
    return len(ids)


def embed_distributed(
    ids: Sequence[str],
    texts: Sequence[str],
    triton_url: str,
    out_dir: Path,
    options: DistributedOptions = DistributedOptions(),
    *,
    address: str | None = None,
) -> int:
    """Embed `texts` (one per id) on Ray workers calling Triton at `triton_url` (gRPC host:port);
    writes the parts into `out_dir` and returns the number of vectors written."""
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
    ray = import_ray()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started_here = not ray.is_initialized()
    if started_here:
        start_ray(ray, address)
    try:
        task = ray.remote(max_retries=options.max_retries, retry_exceptions=[BackendUnavailable])(embed_shard)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        limit = max(1, options.num_workers or cpus)
        pending: list[Any] = []
        done = 0
        for index, start in enumerate(range(0, len(ids), options.shard_size)):
            if _part(out_dir, index)[1].is_file():
                done += len(json.loads(_part(out_dir, index)[1].read_text()))
                continue
            if len(pending) >= limit:
                ready, pending = ray.wait(pending, num_returns=1)
                done += sum(ray.get(ready))
            stop = start + options.shard_size
            pending.append(
                task.remote(
                    triton_url, list(ids[start:stop]), list(texts[start:stop]), str(out_dir), index, options
                )
            )
        return done + sum(ray.get(pending))
    finally:
        if started_here:
            ray.shutdown()


def read_parts(out_dir: Path) -> tuple[list[str], np.ndarray]:
    """(ids, vectors) of every complete part in `out_dir`, in part order."""
    out_dir = Path(out_dir)
    ids: list[str] = []
    arrays = []
    for ids_path in sorted(out_dir.glob("part-*.ids.json")):
        vectors_path = ids_path.with_name(ids_path.name.replace(".ids.json", ".npy"))
        part_ids = json.loads(ids_path.read_text())
        vectors = np.load(vectors_path, allow_pickle=False)
        if vectors.shape[0] != len(part_ids):
            raise ValueError(f"{vectors_path} has {vectors.shape[0]} rows for {len(part_ids)} ids")
        ids.extend(part_ids)
        arrays.append(vectors)
    if not arrays:
        return [], np.zeros((0, 0), dtype=np.float32)
    return ids, np.concatenate(arrays)
