"""A tiny sentence-transformers model (1-layer BERT, random weights, a word-level vocabulary) saved to a
directory, so fine-tuning and serving code runs on real model classes in a second; and a catalog small
enough to embed with it in a moment."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.sample import sample_catalog_path


def sample_head(path: Path, rows: int) -> list[dict[str, Any]]:
    """Write the first `rows` products of the sample catalog to `path` (JSON lines) without their images
    (nothing to fetch while indexing), and return them."""
    with sample_catalog_path().open(encoding="utf-8") as handle:
        head = [json.loads(line) for line, _ in zip(handle, range(rows), strict=False)]
    for row in head:
        row.pop("image", None)
    path.write_text("".join(json.dumps(r) + "\n" for r in head), encoding="utf-8")
    return head


def make_tiny_text_model(path: Path, words: Iterable[str], seed: int = 0) -> Path:
    """Write a mean-pooling, normalising sentence-transformers model knowing `words` into `path`."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(seed)
    path.mkdir(parents=True, exist_ok=True)
    raw = path / "raw"
    raw.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(words))]
    (raw / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizerFast(vocab_file=str(raw / "vocab.txt")).save_pretrained(str(raw))
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(str(raw))
    transformer = models.Transformer(str(raw), max_seq_length=32)
    width = getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    pooling = models.Pooling(width(), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    out = path / "model"
    model.save(str(out))
    return out
