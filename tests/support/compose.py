"""Read docker-compose.yml the way Compose does, as far as a service's environment goes.

No Docker engine runs in the test environment, so tests that must run a process "with the environment
the compose file gives it" resolve that environment here: YAML anchors and `<<` merge keys (PyYAML's
safe loader handles both), override files merged per key as Compose merges them, and variable
interpolation from a `.env`-like mapping:

    $VAR  ${VAR}  ${VAR:-default}  ${VAR-default}  ${VAR:?message}  ${VAR?message}  $$ (a literal $)

(no nested defaults: the compose file does not use them).

A required variable that is missing raises `ComposeError` with the compose file's own message, like
`docker compose config` does. Values in the container's filesystem (volume targets such as
/var/lib/aisle) can be mapped to host directories with `remap_mounts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})"
)


class ComposeError(Exception):
    """The compose file cannot be resolved with the given variables (what Compose would refuse too)."""


def load(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ComposeError(f"{path}: no services")
    return data


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """One value with `${...}` substituted from `variables` (unset and empty differ as in Compose)."""

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("bare") or match.group("name")
        op, arg = match.group("op"), match.group("arg") or ""
        current = variables.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if missing else str(current)
        if op in (":?", "?"):
            if missing:
                raise ComposeError(f"required variable {name} is missing a value: {arg}")
            return str(current)
        return "" if current is None else str(current)

    return _VARIABLE.sub(substitute, value)


def _environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A service's `environment` as a mapping, whichever of Compose's two forms it uses."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in raw)
        return {key: value for key, value in pairs}
    return {str(key): None if value is None else str(value) for key, value in raw.items()}


def merge_service(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """What Compose makes of a service given in two files: environment merged per variable, volumes
    merged per target path, any other key replaced by the override's."""
    merged = {**base, **override}
    merged["environment"] = {**_environment(base), **_environment(override)}
    volumes = {_volume_target(v): v for v in base.get("volumes") or []}
    volumes.update({_volume_target(v): v for v in override.get("volumes") or []})
    merged["volumes"] = list(volumes.values())
    return merged


def _volume_target(volume: str | Mapping[str, Any]) -> str:
    if isinstance(volume, Mapping):
        return str(volume["target"])
    parts = volume.split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def service(compose: Mapping[str, Any], name: str, *overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Service `name` after applying override files (parsed compose documents), in order."""
    merged = dict(compose["services"][name])
    for override in overrides:
        extra = (override.get("services") or {}).get(name)
        if extra:
            merged = merge_service(merged, extra)
    return merged


def environment(svc: Mapping[str, Any], variables: Mapping[str, str]) -> dict[str, str]:
    """The interpolated environment the container gets. A variable listed without a value is passed
    through from `variables` when set there, and left out otherwise (as Compose does)."""
    resolved = {}
    for key, value in _environment(svc).items():
        if value is None:
            if key in variables:
                resolved[key] = variables[key]
            continue
        resolved[key] = interpolate(value, variables)
    return resolved


def mount_targets(svc: Mapping[str, Any]) -> set[str]:
    """Container paths the service mounts something at."""
    return {_volume_target(v) for v in svc.get("volumes") or []}


def remap_mounts(
    svc: Mapping[str, Any], env: Mapping[str, str], mounts: Mapping[str, Path]
) -> dict[str, str]:
    """`env` with values naming a path at or under a mount target rewritten to the host path standing
    in for it (the longest matching target wins, as in the container's filesystem).

    Raises `ComposeError` when `mounts` names a target the service does not mount, so a test cannot
    pretend a container path exists that the deployment never provides.
    """
    unknown = set(mounts) - mount_targets(svc)
    if unknown:
        raise ComposeError(f"the service mounts nothing at {sorted(unknown)}")
    targets = sorted(mounts, key=len, reverse=True)
    out = dict(env)
    for key, value in env.items():
        for target in targets:
            prefix = target.rstrip("/")
            if value == prefix or value.startswith(prefix + "/"):
                out[key] = str(mounts[target]) + value[len(prefix) :]
                break
    return out


def host_path(svc: Mapping[str, Any], variables: Mapping[str, str], container_path: str) -> Path:
    """Where `container_path` lives on the host, through the service's bind mounts (`./x:/y`, `/x:/y`,
    interpolated); raises `ComposeError` when no bind mount covers it."""
    for volume in sorted(svc.get("volumes") or [], key=lambda v: -len(_volume_target(v))):
        if isinstance(volume, Mapping):
            continue
        source, _, rest = interpolate(volume, variables).partition(":")
        target = rest.split(":")[0].rstrip("/")
        if not source.startswith((".", "/")) or not (
            container_path == target or container_path.startswith(target + "/")
        ):
            continue
        return (ROOT / source).resolve() / container_path[len(target) :].lstrip("/")
    raise ComposeError(f"no bind mount of the service covers {container_path}")


def documented_override(markdown: Path, must_contain: str) -> dict[str, Any]:
    """The first ```yaml block of `markdown` containing `must_contain`, parsed: the docs' override file."""
    blocks = re.findall(r"```ya?ml\n(.*?)```", markdown.read_text(), flags=re.DOTALL)
    for block in blocks:
        if must_contain in block:
            return yaml.safe_load(block)  # type: ignore[no-any-return]
    raise ComposeError(f"{markdown}: no yaml block mentions {must_contain}")
