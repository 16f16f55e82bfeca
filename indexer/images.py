"""Fetching product images for the CLIP encoder.

An image reference is a local path (relative to the catalog file's directory, or absolute) or an
http(s) URL fetched with a timeout. Every image is checked to decode (Pillow) before it reaches the
encoder, because one corrupt file in a batch would otherwise fail the whole batch on the server. A failed
image is reported like any other bad input (`ImageError` with the reason).

Local paths are accepted only from catalog files (`base_dir` set): products arriving through the
gateway must use URLs, so an API caller cannot make the server read its own files.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InvalidInput

if TYPE_CHECKING:
    import httpx

MAX_IMAGE_BYTES = 20 << 20


class ImageError(InvalidInput):
    """An image that cannot be read or decoded; the message says why."""


class ImageLoader:
    """Loads and verifies image bytes; thread-safe (one HTTP client shared by the worker threads)."""

    def __init__(
        self,
        base_dir: Path | None,
        timeout_s: float = 10.0,
        workers: int = 8,
        max_bytes: int = MAX_IMAGE_BYTES,
    ) -> None:
        self.base_dir = base_dir
        self.timeout_s = timeout_s
        self.workers = workers
        self.max_bytes = max_bytes
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def load(self, ref: str) -> bytes:
        """The verified bytes of one image; `ImageError` otherwise."""
        data = self._fetch(ref) if ref.startswith(("http://", "https://")) else self._read(ref)
        _verify(ref, data)
        return data

    def load_many(self, refs: Sequence[str]) -> list[bytes | ImageError]:
        """Load several images concurrently; each result is the bytes or the error, in order."""

        def one(ref: str) -> bytes | ImageError:
            try:
                return self.load(ref)
            except ImageError as exc:
                return exc

        if len(refs) <= 1:
            return [one(r) for r in refs]
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="images") as pool:
            return list(pool.map(one, refs))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _read(self, ref: str) -> bytes:
        if self.base_dir is None:
            raise ImageError(f"image {ref!r}: local paths are only accepted from catalog files; use a URL")
        path = Path(ref)
        path = path if path.is_absolute() else self.base_dir / path
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise ImageError(f"image {ref!r}: {size} bytes, more than {self.max_bytes}")
            return path.read_bytes()
        except OSError as exc:
            raise ImageError(f"image {ref!r}: cannot read {path} ({exc.strerror or exc})") from None

    def _fetch(self, url: str) -> bytes:
        import httpx

        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout_s, follow_redirects=True)
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ImageError(f"image {url!r}: HTTP {response.status_code}")
                chunks, total = [], 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise ImageError(f"image {url!r}: larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise ImageError(f"image {url!r}: {type(exc).__name__}: {exc}") from None


def _verify(ref: str, data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"image {ref!r}: not a decodable image ({exc})") from None
