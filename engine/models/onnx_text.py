"""The sentence encoder's forward pass exported to ONNX and run by ONNX Runtime on CPU.

Why: a search embeds one short query per request, and for that shape PyTorch's eager mode spends most
of its time dispatching ops, not computing. ONNX Runtime runs the same graph (same weights, fp32) about
four times faster for a single query on a 2-core CPU (14 ms -> 3.5 ms for all-MiniLM-L6-v2) and as fast
as PyTorch on indexing batches, with vectors equal to PyTorch's to cosine > 0.9999. GPU hosts keep
PyTorch (see `SentenceEncoder`).

The exported graph is transformer + pooling (mean over the attention mask, or the CLS token) + L2
normalisation, so it only covers sentence-transformers models made of exactly those modules;
`export_plan` says when a model is something else and the caller stays on PyTorch.

An export is two files (`OnnxExport`): the graph, and the model's own fast tokenizer saved with the
truncation and padding the encoder applies, so running it needs only onnxruntime and `tokenizers`.
Exporting needs PyTorch and the loaded model; running a cached export does not import torch or
sentence-transformers at all, which is what lets Triton's `query_encoder` (re)start in a second or
two instead of spending many seconds of CPU per instance on those imports. Exports are cached on disk
by a key of the model directory's contents, the requested token limit and the library versions
(everything that decides what the files hold, computable before any model is loaded), and written
atomically, so concurrent processes (Triton's stubs, the indexer) share them safely.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import MissingDependency
from engine.storage import atomic_path

log = logging.getLogger(__name__)

_KNOWN_MODULES = {"Transformer", "Pooling", "Normalize"}


@dataclass(frozen=True)
class ExportPlan:
    """What the exported graph computes: the pooling of token vectors into one sentence vector."""

    pooling: str  # "mean" | "cls"


def export_plan(model: Any) -> ExportPlan | None:
    """The plan for a loaded `SentenceTransformer`, or None when its modules are not transformer +
    mean/CLS pooling (+ normalisation), i.e. when an export would not compute the same vectors."""
    names = [type(module).__name__ for module in model]
    if not names or names[0] != "Transformer" or set(names) - _KNOWN_MODULES or "Pooling" not in names:
        return None
    config = model[names.index("Pooling")].get_config_dict()
    mode = config.get("pooling_mode")
    if mode is None:  # older sentence-transformers: one boolean per mode
        modes = [key for key, on in config.items() if key.startswith("pooling_mode_") and on is True]
        mode = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(
            modes[0] if len(modes) == 1 else ""
        )
    return ExportPlan(pooling=mode) if mode in ("mean", "cls") else None


_KEYED_LIBRARIES = ("torch", "transformers", "sentence-transformers", "tokenizers", "onnxruntime")


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def export_key(model_dir: Path, max_tokens: int) -> str:
    """What decides an export's contents, hashed: every file of the model directory, the requested token
    limit (the model's own limit is in its files) and the versions of the libraries that load, trace
    and run it. Read from package metadata, so computing it imports none of them."""
    # File contents, not sizes and times: a fine-tuned tower has the same file names and sizes as its
    # parent, and one saved in the same second (or copied with its times) would get the parent's graph.
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        with path.open("rb") as fh:
            content = hashlib.file_digest(fh, "sha256").hexdigest()
        digest.update(f"{path.relative_to(model_dir)}:{content}".encode())
    versions = ":".join(_library_version(name) for name in _KEYED_LIBRARIES)
    digest.update(f"{max_tokens}:{versions}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class OnnxExport:
    """The two files of one export: `graph` (ONNX) and `tokenizer` (a `tokenizers` JSON file with the
    encoder's truncation and padding set)."""

    graph: Path
    tokenizer: Path

    @classmethod
    def cached(cls, model_dir: Path, max_tokens: int, cache_dir: Path) -> OnnxExport:
        """Where the export of `model_dir` at `max_tokens` lives in `cache_dir` (it may not exist yet)."""
        stem = f"{model_dir.name}-{export_key(model_dir, max_tokens)}"
        return cls(cache_dir / f"{stem}.onnx", cache_dir / f"{stem}.tokenizer.json")

    def complete(self) -> bool:
        return self.graph.is_file() and self.tokenizer.is_file()

    def int8(self) -> OnnxExport:
        """The same export with its graph's weights quantised to int8 (`write_int8`); same tokenizer."""
        return OnnxExport(self.graph.with_name(f"{self.graph.stem}.{INT8_RECIPE}.onnx"), self.tokenizer)


def _save_tokenizer(tokenizer: Any, max_tokens: int, target: Path) -> None:
    """Save a Hugging Face fast tokenizer's backend with the settings its `__call__(texts, padding=True,
    truncation=True, max_length=max_tokens)` applies, so the file alone tokenises the same way."""
    from tokenizers import Tokenizer

    backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    backend.enable_truncation(
        max_length=max_tokens, stride=0, strategy="longest_first", direction=tokenizer.truncation_side
    )
    backend.enable_padding(
        direction=tokenizer.padding_side,
        pad_id=tokenizer.pad_token_id,
        pad_type_id=tokenizer.pad_token_type_id,
        pad_token=tokenizer.pad_token,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        backend.save(str(tmp))


def write_export(model: Any, plan: ExportPlan, max_tokens: int, export: OnnxExport) -> None:
    """Write whatever part of `export` is missing from a loaded `SentenceTransformer` (needs PyTorch)."""
    if not export.graph.is_file():
        log.info("exporting the text encoder to ONNX: %s", export.graph)
        _export(model, plan, export.graph)
    if not export.tokenizer.is_file():
        _save_tokenizer(model.tokenizer, max_tokens, export.tokenizer)


def _export(model: Any, plan: ExportPlan, target: Path) -> None:
    """Trace transformer + pooling + normalisation into `target`, atomically (`storage.atomic_path`)."""
    import torch

    class _Graph(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if plan.pooling == "cls":
                pooled = tokens[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    graph = _Graph(model[0].auto_model).eval().to("cpu")
    sample = model.tokenizer(
        ["an example query", "a longer example product title"], return_tensors="pt", padding=True
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about Python-side shape checks: expected
        torch.onnx.export(
            graph,
            (sample["input_ids"], sample["attention_mask"]),
            str(tmp),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


# The quantisation recipe, named in the file name of its graphs so a change of recipe never reads an old
# one: dynamic quantisation (activations quantised per call from their observed range), int8 weights per
# output channel, and the embedding tables left in float32. Measured on all-MiniLM-L6-v2 against the
# float32 graph (`bench.query_precision`, 1,000 homedepot queries, each alone): cosine 0.9934 on average
# (0.978 at worst), 1.4-1.7 against 2.9-4.1 ms of CPU per lone query on one thread. Compared with each
# other in batches: per-tensor weights gave cosine 0.962 against 0.9925; quantising the embedding
# tables too cost 0.0005 of cosine for no speed; keeping the last layer in float32 gained 0.0003 for
# 0.25 ms.
INT8_RECIPE = "int8-dyn-pc1"
_FLOAT_NODES = ("word_embeddings", "position_embeddings", "token_type_embeddings")


def write_int8(export: OnnxExport) -> OnnxExport:
    """Write the int8 graph of `export` (which must be complete) unless it is there; return it.

    Why only for queries: product vectors are embedded once per catalog and searched by every query,
    so they keep the float32 graph; a query is embedded on every search, where the int8 graph halves the
    encoder's CPU for about 0.001 of nDCG@10 (docs/serving.md)."""
    target = export.int8()
    if target.graph.is_file():
        return target
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise MissingDependency("onnxruntime", "the int8 query encoder") from exc
    graph = onnx.load(str(export.graph), load_external_data=False)
    keep = [
        n.name for n in graph.graph.node if n.op_type == "Gather" and any(k in n.name for k in _FLOAT_NODES)
    ]
    log.info("quantising the text encoder to int8: %s", target.graph)
    # The quantiser writes a scratch copy beside its input: each writer (Triton's two instances start
    # at once) reads the export through a link in a directory of its own, so their scratch files differ.
    with (
        tempfile.TemporaryDirectory(dir=target.graph.parent, prefix=".int8-") as scratch,
        atomic_path(target.graph) as tmp,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        source = Path(scratch) / "float32.onnx"
        source.symlink_to(export.graph.resolve())
        quantize_dynamic(
            str(source), str(tmp), per_channel=True, weight_type=QuantType.QInt8, nodes_to_exclude=keep
        )
    return target


class OnnxTextRunner:
    """Run an export: tokenise with its tokenizer file, run its graph. Same contract as
    `SentenceEncoder.encode` (unit-length float32 rows, inputs cut at `max_tokens` word pieces); imports
    neither torch nor transformers."""

    def __init__(self, export: OnnxExport, threads: int = 0) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise MissingDependency("onnxruntime", "the ONNX runtime of the text encoder") from exc
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingDependency("tokenizers", "the ONNX runtime of the text encoder") from exc
        self.tokenizer = Tokenizer.from_file(str(export.tokenizer))
        truncation = self.tokenizer.truncation
        if truncation is None or self.tokenizer.padding is None:
            raise ValueError(f"{export.tokenizer} has no truncation or padding settings")
        self.max_tokens = int(truncation["max_length"])
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: a spinning pool burns the cores the gateway and
        # the ranker need between two queries.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads > 0:
            # One BERT forward pass split over several threads costs more CPU in total than on one
            # (measured on 2 cores: 6.1 vs 4.4 ms per lone query, 4.3 vs 2.8 in batches of 8), so a
            # served encoder runs single-threaded instances side by side instead.
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(export.graph), options, providers=["CPUExecutionProvider"]
        )
        self.path = export.graph

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Batches of similar length (sorted by character count) so padding stays small; `progress`
        shows a bar over the batches (benchmarks)."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: np.ndarray | None = None
        starts: Iterable[int] = range(0, len(texts), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="batches", unit="batch", total=-(-len(texts) // batch_size))
        for start in starts:
            chunk = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in chunk], add_special_tokens=True)
            feeds = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            }
            vectors = self.session.run(None, feeds)[0]
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chunk] = vectors
        assert out is not None
        return out
