"""CLIP text and image towers (transformers `CLIPModel` + `CLIPProcessor`) in one normalised space.

The model is configurable by local path or cached hub name. The usual short names of
sentence-transformers (`clip-ViT-B-32`, ...) map to the OpenAI checkpoints; a sentence-transformers CLIP
directory (with its `0_CLIPModel/` folder) works too. Images arrive as encoded bytes (JPEG, PNG, WebP,
...); one that cannot be decoded is an `InvalidInput` for that image only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import ConfigError, InvalidInput, MissingDependency
from engine.models.sources import ModelIdentity, identify, looks_like_path, resolve_model_dir

CLIP_MODEL_SETTING = "AISLE_CLIP_MODEL"
CLIP_ALIASES = {
    "clip-ViT-B-32": ("sentence-transformers/clip-ViT-B-32", "openai/clip-vit-base-patch32"),
    "clip-ViT-B-16": ("sentence-transformers/clip-ViT-B-16", "openai/clip-vit-base-patch16"),
    "clip-ViT-L-14": ("sentence-transformers/clip-ViT-L-14", "openai/clip-vit-large-patch14"),
}
_ST_SUBFOLDER = "0_CLIPModel"


def resolve_clip_model(value: str) -> tuple[Path, ModelIdentity]:
    """Directory (with a transformers CLIP config) and identity of the configured CLIP model.

    Raises `ConfigError` naming AISLE_CLIP_MODEL when no local copy exists.
    """
    errors = []
    for candidate in (value, *CLIP_ALIASES.get(value, ())):
        try:
            model_dir = resolve_model_dir(candidate, CLIP_MODEL_SETTING)
        except ConfigError as exc:
            errors.append(exc.message)
            continue
        if (model_dir / _ST_SUBFOLDER / "config.json").is_file():
            model_dir = model_dir / _ST_SUBFOLDER
        return model_dir, identify(value, model_dir)
    if len(errors) == 1:
        raise ConfigError(errors[0])
    tried = ", ".join(repr(c) for c in CLIP_ALIASES[value])
    raise ConfigError(
        f"{CLIP_MODEL_SETTING}: no local copy of {value!r} (tried {tried}); "
        "fetch one first or point the setting at a directory"
    )


def find_clip_model(value: str) -> tuple[Path, ModelIdentity] | None:
    """Like `resolve_clip_model`, for the optional image side: None when CLIP is switched off (empty
    setting) or a hub name has no local copy, so the engine starts without it. An explicit path that
    does not exist is still a `ConfigError`: that is a typo, not a missing optional model."""
    if not value.strip():
        return None
    try:
        return resolve_clip_model(value)
    except ConfigError:
        if looks_like_path(value):
            raise
        return None


def decode_image(data: bytes) -> Any:
    """Encoded image bytes -> an RGB PIL image; `InvalidInput` when the bytes are not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidInput(f"not a decodable image ({len(data)} bytes): {exc}") from None


def _features(output: Any) -> Any:
    """transformers < 5 returns the projected tensor, >= 5 an output whose pooler_output holds it."""
    return output if hasattr(output, "norm") else output.pooler_output


class ClipModel:
    """A loaded CLIP model; both towers return (n, dim) float32 rows of unit length."""

    def __init__(self, model_dir: Path, device: str = "cpu") -> None:
        try:
            import torch
            from transformers import CLIPModel, CLIPProcessor
        except ImportError as exc:
            raise MissingDependency("transformers", "the CLIP encoder") from exc
        self._torch = torch
        self.device = device
        model = CLIPModel.from_pretrained(str(model_dir), local_files_only=True)
        self.model: Any = model.to(device).eval()  # type: ignore[arg-type]
        self.processor = CLIPProcessor.from_pretrained(str(model_dir), local_files_only=True)
        self.dim = int(self.model.config.projection_dim)
        self.max_tokens = int(self.model.config.text_config.max_position_embeddings)

    def _normalised(self, tensor: Any) -> np.ndarray:
        tensor = self._torch.nn.functional.normalize(tensor.float(), dim=-1)
        return np.ascontiguousarray(tensor.cpu().numpy(), dtype=np.float32)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        inputs = self.processor(
            text=list(texts), return_tensors="pt", padding=True, truncation=True, max_length=self.max_tokens
        )
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        with self._torch.inference_mode():
            return self._normalised(_features(self.model.get_text_features(**inputs)))

    def encode_pil(self, images: Sequence[Any]) -> np.ndarray:
        """Already decoded RGB images (see `decode_image`)."""
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        inputs = self.processor(images=list(images), return_tensors="pt")
        pixels = inputs["pixel_values"].to(self.device)
        with self._torch.inference_mode():
            return self._normalised(_features(self.model.get_image_features(pixel_values=pixels)))

    def encode_images(self, images: Sequence[bytes]) -> np.ndarray:
        return self.encode_pil([decode_image(data) for data in images])
