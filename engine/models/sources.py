"""Where model weights come from, and a cheap identity for them.

Serving never downloads: a model is a local directory, or a hub name that is already in the local
Hugging Face cache (fetch it beforehand, e.g. `huggingface-cli download openai/clip-vit-base-patch32`).
That keeps start-up time predictable and makes a typo fail at once with the setting's name instead of
after a minute of network retries.

The identity (`ModelIdentity`) is what index manifests record; the Triton client and the in-process
backend compute it with the same function, so an index built through one can be served through the other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt")
_FINGERPRINT_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelIdentity:
    """A model's display name and a content fingerprint of its weights (stable across machines)."""

    name: str
    version: str


def looks_like_path(value: str) -> bool:
    """True when `value` is meant as a filesystem path rather than a hub name like `org/model`."""
    return value.startswith(("/", "./", "../", "~")) or value in (".", "..")


def resolve_model_dir(value: str, setting: str) -> Path:
    """The local directory holding the weights named by `value` (a path or a cached hub name).

    Raises `ConfigError` naming `setting` (e.g. "AISLE_TEXT_MODEL") when nothing local matches.
    """
    if not value:
        raise ConfigError(f"{setting}: empty model name or path")
    candidate = Path(value).expanduser()
    if candidate.is_dir():
        return candidate.resolve()
    if looks_like_path(value) or candidate.exists():
        raise ConfigError(f"{setting}: no model directory at {value!r}")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError
    except ImportError as exc:  # pragma: no cover - installed with transformers
        raise ConfigError(f"{setting}: {value!r} is not a directory and huggingface_hub is missing") from exc
    try:
        return Path(snapshot_download(value, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError, OSError, ValueError):
        raise ConfigError(
            f"{setting}: {value!r} is neither a local directory nor in the Hugging Face cache "
            "(serving does not download; fetch it first or point the setting at a directory)"
        ) from None


def fingerprint(model_dir: Path) -> str:
    """A short content hash of a model directory: config files in full, weight files by size and their
    first and last megabyte. Reading whole multi-GB weight files on every start would be too slow, and a
    retrained model always changes those bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(model_dir).as_posix()
        if rel.startswith(".") or "/." in rel:
            continue
        if path.suffix == ".json" or path.suffix in _WEIGHT_SUFFIXES:
            digest.update(rel.encode())
        if path.suffix == ".json":
            digest.update(path.read_bytes())
        elif path.suffix in _WEIGHT_SUFFIXES:
            size = path.stat().st_size
            digest.update(str(size).encode())
            with path.open("rb") as handle:
                digest.update(handle.read(_FINGERPRINT_CHUNK))
                if size > _FINGERPRINT_CHUNK:
                    handle.seek(max(size - _FINGERPRINT_CHUNK, _FINGERPRINT_CHUNK))
                    digest.update(handle.read(_FINGERPRINT_CHUNK))
    return digest.hexdigest()[:16]


def identify(value: str, model_dir: Path, default_name: str | None = None) -> ModelIdentity:
    """Identity of the model configured as `value` and found at `model_dir`.

    The name is the configured value's last component (the hub name or directory name), or
    `default_name` when the setting was left empty and a packaged default is used.
    """
    name = default_name or Path(value.rstrip("/")).name or model_dir.name
    return ModelIdentity(name=name, version=fingerprint(model_dir))
