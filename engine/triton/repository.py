"""The runtime model repository: a copy of `model_repository/` that Triton actually serves.

Why a copy: settings (which encoder weights, CPU or GPU) are written into the copy's `config.pbtxt`
`parameters` and instance groups, leaving the source tree clean, and the ranking-update job and the
query-tower fine-tuning add versions to the copy while the server runs. So preparing it again keeps every
ranker and query-encoder version already there and the rolled-out `version_policy`, and only refreshes
what the source repository provides.

Configs are edited as protobuf messages (Triton's own `ModelConfig` schema from tritonclient), never with
regular expressions, and written atomically so a concurrent (re)load never reads half a file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, TypeAlias

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2

from engine.config import Settings
from engine.errors import ConfigError
from engine.models.tower import PRODUCT_TOWER_VERSION
from engine.storage import staged_directory, write_atomic

CONFIG_FILE = "config.pbtxt"
RANKER = "ranker"
QUERY_ENCODER = "query_encoder"
VERSIONED = (RANKER, QUERY_ENCODER)  # models whose runtime copy gains versions while serving
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")

# Generated protobuf classes carry no static types; configs are `model_config_pb2.ModelConfig` messages.
ModelConfig: TypeAlias = Any


def read_config(path: Path) -> ModelConfig:
    try:
        return text_format.Parse(Path(path).read_text(), model_config_pb2.ModelConfig())
    except (OSError, text_format.ParseError) as exc:
        raise ConfigError(f"cannot read Triton model config {path}: {exc}") from None


def write_config(path: Path, config: ModelConfig) -> None:
    """Write atomically (temp file + rename in the same directory, `engine.storage`)."""
    write_atomic(Path(path), text_format.MessageToString(config), permissions=0o644)


def set_parameters(config: ModelConfig, values: dict[str, str]) -> None:
    for key, value in values.items():
        config.parameters[key].string_value = value


def set_instance_kind(config: ModelConfig, gpu: bool) -> None:
    """KIND_GPU or KIND_CPU on every instance group (one CPU group is added when there is none)."""
    group_type = model_config_pb2.ModelInstanceGroup
    kind = group_type.KIND_GPU if gpu else group_type.KIND_CPU
    if not config.instance_group:
        config.instance_group.add(count=1)
    for group in config.instance_group:
        group.kind = kind
        if not gpu:
            del group.gpus[:]


def set_version_policy(config: ModelConfig, versions: list[int] | None) -> None:
    """`specific { versions }` for the given versions, or `latest { num_versions: 1 }` for None."""
    config.ClearField("version_policy")
    if versions:
        config.version_policy.specific.versions.extend(sorted(versions))
    else:
        config.version_policy.latest.num_versions = 1


def pinned_versions(config: ModelConfig) -> list[int] | None:
    """The versions of a `specific` policy, or None for any other policy."""
    if config.version_policy.WhichOneof("policy_choice") == "specific":
        return list(config.version_policy.specific.versions)
    return None


def _copy_model(source: Path, target: Path) -> None:
    """Replace `target` with a copy of `source`, published whole (`engine.storage`): a crash leaves the
    old copy or none, never half of one, and the next start copies again (clearing the fixed staging
    folder a crash left behind)."""
    with staged_directory(target, staging=target.with_name(f".{target.name}.staging")) as folder:
        shutil.copytree(source, folder, ignore=_IGNORE, dirs_exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)  # the old copy goes once the new one is complete


def _copy_versioned(source: Path, target: Path) -> None:
    """Refresh the source's versions and config; keep runtime-only versions and the pin."""
    previous = read_config(target / CONFIG_FILE) if (target / CONFIG_FILE).is_file() else None
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir() and entry.name.isdigit():
            _copy_model(entry, target / entry.name)
    config = read_config(source / CONFIG_FILE)
    pinned = pinned_versions(previous) if previous is not None else None
    if pinned and all((target / str(v)).is_dir() for v in pinned):
        set_version_policy(config, pinned)
    write_config(target / CONFIG_FILE, config)


def _keep_product_tower(config: ModelConfig) -> None:
    """A pinned `query_encoder` always loads the product-space version too (product embedding names
    it), also when the pin was written before that rule (a rollout pinning the new version alone)."""
    pinned = pinned_versions(config)
    if pinned and PRODUCT_TOWER_VERSION not in pinned:
        set_version_policy(config, [PRODUCT_TOWER_VERSION, *pinned])


def prepare_runtime_repository(settings: Settings, parameters: dict[str, dict[str, str]]) -> Path:
    """Build or refresh `<data_dir>/model_repository` from `settings.model_repository`.

    `parameters` maps a model name to the config parameters to write into its runtime config (the
    launcher passes the resolved weight paths and identities). Returns the runtime repository path.
    """
    source = Path(settings.model_repository)
    if not source.is_dir():
        raise ConfigError(f"AISLE_MODEL_REPOSITORY: no model repository at {source}")
    runtime = settings.path("model_repository").resolve()
    runtime.mkdir(parents=True, exist_ok=True)
    for model_dir in sorted(p for p in source.iterdir() if (p / CONFIG_FILE).is_file()):
        target = runtime / model_dir.name
        if model_dir.name in VERSIONED:
            _copy_versioned(model_dir, target)
        else:
            _copy_model(model_dir, target)
        config = read_config(target / CONFIG_FILE)
        if model_dir.name == QUERY_ENCODER:
            _keep_product_tower(config)
        set_parameters(config, parameters.get(model_dir.name, {}))
        set_instance_kind(config, settings.triton_gpu)
        write_config(target / CONFIG_FILE, config)
    return runtime
