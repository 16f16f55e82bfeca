"""Aisle engine: the library behind the gateway, the indexer and the ranking-update job.

The flow reads top to bottom: ingest (`indexer/`) -> index (`engine.lexical`, `engine.vectors`) ->
retrieve, fuse and rank (`engine.pipeline`, `engine.ranking`) -> log events (`engine.events`) ->
learn and roll out (`engine.learning`). Inference goes through `engine.inference` (Triton by default).
"""

__version__ = "0.1.0"
