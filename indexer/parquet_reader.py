"""Parquet catalogs, read in batches so that a file larger than memory works; rows are numbered from 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput


def read_parquet(path: Path, batch_rows: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield `(row_number, record)` for every row; `InvalidInput` when the file is not Parquet."""
    import pyarrow.parquet as pq  # only a Parquet catalog pays for loading pyarrow

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a corrupt file
        raise InvalidInput(f"{path}: not a readable Parquet file: {exc}") from None
    row = 0
    for batch in parquet.iter_batches(batch_size=batch_rows):
        for record in batch.to_pylist():
            row += 1
            yield row, record
